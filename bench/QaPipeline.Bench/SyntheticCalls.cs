using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Bench;

/// <summary>
/// Deterministic five-minute Mandarin service calls (~80 turns) for the scoring benchmark: greeting,
/// a complaint, number read-back, a hold with silence, a knowledge question, closing — with ASR-style
/// noise (traditional characters, homophones, fillers, dropped punctuation) in a share of the turns.
/// </summary>
public static class SyntheticCalls
{
    private static readonly string[] AgentLines =
    [
        "好的，我明白了，我这边帮您看一下", "请问您还记得下单的时间吗", "这个问题我们会尽快帮您处理的",
        "您说的情况我已经记录下来了", "麻烦您再说一下您的订单号", "好的，没问题", "嗯，我这边看到了您的订单",
        "您的包裹目前在派送途中", "建议您保持电话畅通", "这个需要您提供一下付款凭证", "我们会在二十四小时内给您回电",
        "您看这样处理可以吗", "稍后会有短信通知您", "这边已经帮您备注了加急", "您可以放心，我们一定会跟进到底",
    ];

    private static readonly string[] CustomerLines =
    [
        "好的", "嗯嗯", "那大概要多久", "我之前打过一次电话了", "订单号是多少我忘了", "可以", "行吧", "那我等你们电话",
        "快递员一直联系不上", "我明天不在家怎么办", "能不能改个地址", "对，就是这个", "谢谢", "那运费谁出",
    ];

    public static Transcript Create(int seed, int turns = 80, double seconds = 300)
    {
        var rng = new Random(seed);
        var lines = new List<(SpeakerRole Role, string Text)>
        {
            (SpeakerRole.Agent, "您好，欢迎致电星河客服中心，我是工号1024的小王，请问有什么可以帮您"),
            (SpeakerRole.Customer, "我买的东西一直没到，等了好久了，到底怎么回事"),
            (SpeakerRole.Agent, "非常抱歉给您带来不便，您的心情我能理解，麻烦您提供一下手机号码"),
            (SpeakerRole.Customer, "13912345678"),
            (SpeakerRole.Agent, "跟您确认一下，号码是13912345678，对吗"),
            (SpeakerRole.Customer, "对的"),
            (SpeakerRole.Agent, "好的，请您稍等，我这边帮您查询一下"),
            (SpeakerRole.Agent, "感谢您的耐心等待，您的快递在转运中心，明天送达"),
        };
        while (lines.Count < turns - 6)
        {
            lines.Add((SpeakerRole.Customer, CustomerLines[rng.Next(CustomerLines.Length)]));
            lines.Add((SpeakerRole.Agent, AgentLines[rng.Next(AgentLines.Length)]));
        }
        lines.Add((SpeakerRole.Customer, "那退款要多久"));
        lines.Add((SpeakerRole.Agent, "退款会在7个工作日内原路退回"));
        lines.Add((SpeakerRole.Customer, "好的"));
        lines.Add((SpeakerRole.Agent, "请问还有其他可以帮您的吗"));
        lines.Add((SpeakerRole.Customer, "没有了"));
        lines.Add((SpeakerRole.Agent, "感谢您的来电，祝您生活愉快，再见"));

        var segments = new List<TranscriptSegment>(lines.Count);
        var slot = seconds / lines.Count;
        var t = 0.3;
        for (var i = 0; i < lines.Count; i++)
        {
            var (role, text) = lines[i];
            if (rng.NextDouble() < 0.3) text = AsrNoise(text, rng);
            var length = Math.Min(slot * 0.85, 0.25 * text.Length + 0.5);
            var start = t;
            if (i == 7) start += 12; // the hold: 12 s of silence after "请您稍等"
            segments.Add(new TranscriptSegment(role, Math.Round(start, 2), Math.Round(start + length, 2), text,
                Math.Round(0.75 + rng.NextDouble() * 0.2, 2)));
            t = start + Math.Max(slot, length + 0.2);
        }
        return new Transcript(segments, TranscriptSource.Whisper, "zh", $"synthetic-{seed}", t);
    }

    private static string AsrNoise(string text, Random rng) => rng.Next(4) switch
    {
        0 => text.Replace("这", "這").Replace("说", "說").Replace("问", "問").Replace("号", "號").Replace("请", "請"),
        1 => text.Replace("，", "").Replace("稍", "烧").Replace("再见", "在见"),
        2 => "嗯" + text.Replace("，", "啊"),
        _ => text.Replace("您", "你"),
    };
}
