namespace QaPipeline.Web.Reviews;

/// <summary>A request the rules refuse: the message is shown to the user (and returned by the API) as is.</summary>
public sealed class ReviewRuleException(string message, int status = 409, string? chinese = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>The input broke a limit no form lets a person break (length, range, format): a page answers it with a
    /// 400 and the message, not a redirect back to the form as for an ordinary refusal.</summary>
    public bool Limit { get; init; }

    /// <summary>The message in Chinese for the Chinese UI. Messages are matched by their fixed English start; the
    /// variable tail (a name, a list of items, a date) is kept.</summary>
    public string Chinese
    {
        get
        {
            if (chinese is not null) return chinese;
            foreach (var (en, zh) in Translations)
                if (Message.StartsWith(en, StringComparison.Ordinal)) return zh + Message[en.Length..];
            return Message;
        }
    }

    private static readonly (string En, string Zh)[] Translations =
    [
        ("an override needs a reason", "改判需要填写理由"),
        ("already claimed by ", "已被认领："),
        ("claimed by ", "已被认领："),
        ("claim the call first", "请先认领该通话"),
        ("decide these items first: ", "请先判定这些评分项："),
        ("give the outcome a reason", "请填写处理意见"),
        ("say why you dispute this item", "请填写申诉理由"),
        ("this item is already disputed", "该评分项已在申诉中"),
        ("the dispute window closed on ", "申诉期限已于以下时间截止："),
        ("this call has no finished review to acknowledge", "该通话尚无可确认的终审结果"),
        ("this call has no scorecard yet", "该通话尚未评分"),
        ("this call is not claimed", "该通话未被认领"),
        ("this dispute is already decided", "该申诉已处理"),
        ("the comment is empty", "批注内容为空"),
        ("verdict must be pass, fail or na", "判定只能是通过、扣分或不适用"),
        ("a clip needs 0 <= start < end", "片段需满足 0 ≤ 开始 < 结束"),
        ("a clip is a good or a bad example", "片段需标记为正面或反面示例"),
        ("start must be a number of seconds", "开始时间须为秒数"),
        ("end must be a number of seconds", "结束时间须为秒数"),
        ("name the playlist", "请填写播放列表名称"),
        ("name the session", "请填写会议名称"),
        ("name the team", "请填写班组名称"),
        ("pick at least one call", "请至少选择一通通话"),
        ("pick at least two participants", "请至少选择两名参与人"),
        ("still scoring: ", "仍在评分："),
        ("reveal the scores first", "请先揭晓评分"),
        ("already revealed", "已揭晓"),
        ("your scores are already submitted", "您的评分已提交"),
        ("item verdicts still missing: ", "尚未完成的评分项数："),
        ("login and a password of 8+ characters are needed", "需要账号及至少 8 位的密码"),
        ("a password needs 8+ characters", "密码至少 8 位"),
        ("you cannot remove your own admin role or deactivate yourself", "不能移除自己的管理员角色或停用自己"),
        ("the sample rate is a share between 0 and 1", "抽检比例须在 0 到 1 之间"),
        ("the threshold is a percent 0–100", "阈值须为 0–100 的百分数"),
        ("the dispute window is 0–365 days", "申诉期限须为 0–365 天"),
        ("retention is a positive number of days", "保留天数须为正整数"),
        ("not a valid rubric in the rubric folder", "不是评分标准目录中的有效文件"),
        ("no such call item in this session", "本次会议中没有该通话评分项"),
        ("no such team", "没有该班组"),
        ("only a monitor of this call's team may review it", "只有该通话所属班组的质检员可以质检"),
        ("only an admin publishes rubrics", "只有管理员可以发布评分标准"),
        ("only monitors and trainers comment on calls", "只有质检员和培训师可以批注通话"),
        ("only monitors, trainers and admins lead calibration", "只有质检员、培训师和管理员可以主持校准"),
        ("only the agent of a call acknowledges or disputes it", "只有通话的客服本人可以确认或申诉"),
        ("only the session's lead may do this", "只有会议主持人可以执行此操作"),
        ("only trainers bookmark clips", "只有培训师可以收藏片段"),
        ("only trainers build playlists", "只有培训师可以创建播放列表"),
        ("rubric id and version may use letters, digits, '.', '_' and '-' only", "评分标准编号和版本只能包含字母、数字、“.”、“_”和“-”"),
        ("say what changed (the note is kept with the version)", "请说明修改内容（说明随版本保存）"),
        ("unknown role", "未知角色"),
        ("you are not a participant of this session", "您不是本次会议的参与人"),
        ("no calibration session ", "没有校准会议："),
        ("no call ", "没有通话："),
        ("no dispute ", "没有申诉："),
        ("no playlist ", "没有播放列表："),
        ("no team ", "没有班组："),
        ("no user ", "没有用户："),
    ];
}

public static class Verdicts
{
    public static readonly string[] Human = ["pass", "fail", "na"];
    public static bool IsHuman(string? v) => v is not null && Array.IndexOf(Human, v) >= 0;

    /// <summary>The core's verdict of a stored or submitted one ("pass", "fail", "na", "review").</summary>
    public static QaPipeline.Scoring.Scorecards.Verdict Parse(string v) =>
        QaPipeline.Scoring.DomainWords.ParseVerdict(v) ?? throw new FormatException($"'{v}' is not a verdict");
}
