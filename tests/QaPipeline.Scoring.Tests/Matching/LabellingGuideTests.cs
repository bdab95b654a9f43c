using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Tests.Matching;

/// <summary>
/// The boundary cases of docs/labelling.md, run through the shipped rubrics' line detectors: what the guide
/// says counts must fire, what it says does not count must not. The examples are the guide's own (written
/// for the project, not corpus lines).
/// </summary>
public class LabellingGuideTests
{
    private static LineDetection? Detect(Rubric rubric, string item, string line) =>
        Scorer.DetectInLine(rubric.Items.Single(i => i.Id == item), SpeechText.Parse(line));

    [Theory]
    [InlineData("请您耐心等待配送哦", "wait.request")]                   // a parcel, not a hold
    [InlineData("请您耐心等待配送哦", "wait.thanks")]                    // asking to wait is never a thanks
    [InlineData("退款耐心等待[数字x]个工作日", "wait.request")]
    [InlineData("您可以自己在订单页面查询", "handling.verify")]            // the customer checks
    [InlineData("您可以在我的订单里查看", "handling.verify")]
    [InlineData("帮您催一下站点", "handling.verify")]                     // chasing is not checking
    [InlineData("请问还有什么可以帮您的吗", "greeting.opening")]           // the closing question
    [InlineData("小妹等会儿回复您好不好", "greeting.opening")]               // 您好 inside 您好不好
    [InlineData("您那边提交售后申请就行了", "courtesy.polite_words")]            // 请 inside 申请
    [InlineData("小妹帮您备注一下", "greeting.self_intro")]               // a self-reference is no introduction
    [InlineData("升级客服专员处理", "greeting.self_intro")]
    [InlineData("请您联系商家客服", "handling.transfer")]                  // a referral, not a transfer
    [InlineData("配送员电话[电话x]", "security.pii_disclosure")]           // business contact data
    [InlineData("确认收货后可以申请", "handling.confirm")]                 // the button
    [InlineData("系统没办法修改地址，您可以取消后重新下单", "attitude.forbidden")]
    [InlineData("您不知道的话可以问小妹哦", "attitude.forbidden")]          // the customer's not knowing
    [InlineData("稍后客服会联系站点，我们一直为您服务", "greeting.self_intro")] // a team named in passing
    [InlineData("建议您到厂家客服那里咨询确认一下", "handling.confirm")]     // the customer checking elsewhere
    [InlineData("就是马上帮您查一查", "handling.confirm")]                    // 是马 sounds like 是吗
    [InlineData("有质量问题您可以联系咱们这边帮您核实处理", "handling.verify")] // an invitation, not a check now
    // Round 2 of the guide (docs/labelling.md, "Rounds of labelling"):
    [InlineData("您再等待下，售后会尽快给您处理的", "wait.request")]      // the wait is for after-sales, not a hold
    [InlineData("您是用什么方式付的款呀", "handling.confirm")]                 // a wh-question asks for new information
    [InlineData("小妹先帮您催一下，您看这样行吗", "handling.confirm")]         // a proposal
    [InlineData("师傅会打您电话，送货时间您和师傅说下就行", "handling.verify")] // 和师 sounds like 核实
    [InlineData("暂时没办法改地址，您可以取消后再下一单", "attitude.forbidden")] // a way forward is offered
    // Round 2, pass c (docs/labelling.md): where the independent pass disagreed and the guide was clarified.
    [InlineData("非常抱歉，这个已经没有办法了", "attitude.forbidden")]          // an apology first: not cold
    [InlineData("我不是技术人员，建议您问一下品牌的售后", "attitude.forbidden")] // a referral
    [InlineData("具体几点送到现在还定不了", "attitude.forbidden")]             // a limit of the facts
    [InlineData("小妹这边不是售后部，审核完售后同事会打电话给您说明进度的", "attitude.forbidden")] // what happens next
    [InlineData("快递员之前打过您电话的吗", "handling.confirm")]               // has something happened: new information
    [InlineData("您可以联系我们帮您补开发票", "closing.farewell")]             // what to contact us for: the case
    [InlineData("这个问题有变化就尽快来问", "closing.farewell")]               // advice about now, not an invitation
    [InlineData("这种信息后台本来就是查询不到的", "handling.verify")]          // a limit of the system, no look-up
    [InlineData("到时候麻烦查看您的短信通知", "handling.verify")]             // the customer checks
    [InlineData("想更好地为您服务，麻烦提供下订单号", "greeting.self_intro")]   // 好/号: no employee number
    // The forbidden relabel (session 5): a bare refusal is a cold one; anything else in the turn makes it an answer.
    [InlineData("这个订单暂时不能改啦，您拒收后重新下单就好", "attitude.forbidden")] // a way forward
    [InlineData("实在不好意思，这款暂时不支持上门取件", "attitude.forbidden")]    // an apology
    [InlineData("哪天到货现在还没法确定哦", "attitude.forbidden")]               // a limit of the facts
    [InlineData("这个颜色不可以换吗", "attitude.forbidden")]                     // a question back
    public void Lines_the_guide_excludes_do_not_fire_the_item(string line, string item)
    {
        Assert.Null(Detect(TestRubrics.Zh, item, line));
    }

    [Theory]
    [InlineData("请您稍等，小妹帮您查询一下", "wait.request", "稍等")]
    [InlineData("稍等哈", "wait.request", "稍等")]                         // bare, with a particle
    [InlineData("小妹这边帮您核实下哦", "handling.verify", "帮您核实")]
    [InlineData("妹子看下哈", "handling.verify", "妹子看下")]
    [InlineData("帮您联系站点核实一下", "handling.verify", "核实一下")]   // a third party checking for the agent
    [InlineData("您好，这单已经发货了", "greeting.opening", "您好")]
    [InlineData("您久等了哈", "wait.thanks", "久等了")]
    [InlineData("您久等了哈", "courtesy.apology", "久等了")]
    [InlineData("那请问小妹还可以帮到您什么吗", "closing.more_help", "帮到")]
    [InlineData("先祝您新年快乐，全家安康", "closing.farewell", "快乐")]
    [InlineData("天凉了，要注意保暖哦", "closing.farewell", "注意保暖")]
    [InlineData("您放心，一定给您送到", "courtesy.empathy", "放心")]
    [InlineData("辛苦您了", "courtesy.empathy", "辛苦您了")]
    [InlineData("还请您见谅", "courtesy.apology", "见谅")]
    [InlineData("是这个订单吗", "handling.confirm", "订单")]
    [InlineData("我先帮您把包裹拦下，您要继续配送吗", "handling.confirm", "您要")]   // what the customer wants
    [InlineData("京东客服很高兴为您服务", "greeting.self_intro", "客服很高兴为您服务")]
    [InlineData("为您转接售后专员，请不要挂机", "handling.transfer", "为您转接")]
    [InlineData("您好，我是工号1024的小王", "greeting.self_intro", "我是")]
    [InlineData("您再等待下，小妹正在帮您查询中", "wait.request", "查询中")]  // the wait is for the agent's check
    [InlineData("您是上周五下的单吗", "handling.confirm", "您是")]            // a yes/no question about the customer's fact
    [InlineData("这个小妹也不清楚呢", "attitude.forbidden", "不清楚")]         // the whole answer, nothing offered
    [InlineData("那就是包裹还没送到您手上对吧", "handling.confirm", "对吧")]   // a tag restating the customer's situation
    [InlineData("小妹这边不是售后部，没法告诉您结果哦", "attitude.forbidden", "不是售后部")] // the bare disclaimer
    [InlineData("以后有什么问题可以联系我们哦", "closing.farewell", "联系我")] // an invitation for later
    [InlineData("这边查询不到这个单号", "handling.verify", "查询不到")]        // a look-up's result
    [InlineData("这款商品不支持上门取件哦", "attitude.forbidden", "不支持")]     // a bare refusal, nothing else
    [InlineData("订单已经出库了，地址没法改了呢", "attitude.forbidden", "没法")]  // a reason, still nothing offered
    [InlineData("这个颜色是不可以换的哈", "attitude.forbidden", "不可以")]       // the 可以 inside 不可以 offers nothing
    [InlineData("这个已经发货了无发修改哦", "attitude.forbidden", "无发")]       // 无发 sounds like 无法 (ASR)
    [InlineData("您是说想换成黑色的吗", "handling.confirm", "您是说")]          // restating what the customer said
    [InlineData("查询到这个订单昨天已经出库了", "handling.verify", "查询到")] // a look-up's result
    public void Lines_the_guide_counts_fire_the_item_with_the_deciding_words(string line, string item, string words)
    {
        var hit = Detect(TestRubrics.Zh, item, line);
        Assert.NotNull(hit);
        Assert.Contains(words, hit!.Words + hit.Phrase);
    }

    [Fact]
    public void A_bare_confirm_without_saying_with_whom_goes_to_a_monitor()
    {
        // 核对一下 alone: with the customer (confirm), with a site (verify) or the customer with someone else.
        var hit = Detect(TestRubrics.Zh, "handling.confirm", "我再核对一下这个地址");
        Assert.NotNull(hit);
        Assert.True(hit!.Review);
        Assert.False(Detect(TestRubrics.Zh, "handling.confirm", "跟您确认一下收货地址")!.Review);
    }

    [Theory]
    [InlineData("Hi, this is Anna, how can I help?")]
    [InlineData("You're speaking with Anna.")]
    [InlineData("Anna here, what can I do for you?")]
    [InlineData("Good morning, Marcus speaking.")]
    public void A_first_name_self_introduction_is_greeting_self_intro(string line)
    {
        Assert.NotNull(Detect(TestRubrics.En, "greeting.self_intro", line));
    }

    [Theory]
    [InlineData("This is a known issue with the latest update.", "greeting.self_intro")]
    [InlineData("Please be patient, parcels can take three to five working days.", "wait.request")]
    [InlineData("You can check the status yourself in the app.", "handling.verify")]
    [InlineData("I'll transfer the refund to your card.", "handling.transfer")]
    [InlineData("OK, I understand.", "courtesy.empathy")]
    public void English_lines_the_guide_excludes_do_not_fire_the_item(string line, string item)
    {
        Assert.Null(Detect(TestRubrics.En, item, line));
    }
}
