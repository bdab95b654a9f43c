namespace QaPipeline.Scoring.Acoustics;

/// <summary>One turn of a mono call given to a role by speaker separation, with how sure the separation is that
/// the role is right (0.5 = a coin toss, 1 = certain).</summary>
public sealed record RoleTurn(double Start, double End, string Speaker, double Confidence);

/// <summary>
/// How the roles of a mono recording were found (the <c>separation</c> object of <c>qa analyze</c>): the method and
/// its overall confidence with the turns it gave each role, or method <see cref="None"/> and the reason the two
/// voices could not be told apart (the call then has one <c>mixed</c> speaker).
/// </summary>
public sealed record SpeakerSeparationFacts(string Method, double? Confidence, string? Reason, IReadOnlyList<RoleTurn> Turns)
{
    public const string None = "none";

    public bool Separated => Method != None;

    /// <summary>
    /// The facts that rest on which voice is which, and so are estimates on a separated mono call: who spoke when,
    /// the talk ratio, overlaps (heard in one channel, only suspected) and the longest monologue of each role.
    /// Silences and hold candidates are not in the list: nobody speaking is measured the same on one channel as
    /// on two. Where a scorecard item turns a silence into a role's figure (dead air excused by the agent's hold
    /// announcement), the scorer marks that item's figure as estimated instead.
    /// </summary>
    public IReadOnlyList<string> Estimated => Separated ? ["speakers", "talk_ratio", "overlaps", "dynamics.longest_monologue"] : [];

    public static SpeakerSeparationFacts Impossible(string reason) => new(None, null, reason, []);
}
