#!/usr/bin/env python3
"""Draws the stratified labelling sample from ../shared/corpora/jddc-agent-responses.txt.

Why stratified: most agent lines show none of the phrase items, so a purely random sample of 2,000
lines would hold a handful of positives for the rarer items (transfer, forbidden, self-intro) and
precision/recall could not be measured. Each item therefore gets a quota of *candidate* lines (a broad
keyword net, wider than the rubric's phrase lists so that the misses of the current rules are drawn
too), and a block of uniformly random lines keeps realistic negatives and unexpected wordings.
The candidate nets only choose which lines are labelled; the labels come from people following
docs/labelling.md, so the nets do not bias the labels themselves.

Writes id<TAB>text (ids 1..N in a shuffled order, so a labeller cannot see the strata) to the output
path, which must lie outside the repository: the corpus text is never committed.
Deterministic for a given seed and corpus.

Round 2 (`--round 2`): an enrichment sample for the items whose test figures stayed short after round 1
(handling.confirm, handling.verify, attitude.forbidden, greeting.self_intro). It draws only lines not in the
earlier samples (`--exclude`, the round-1 sample file), with its own keyword nets (ENRICH_NETS, wider still:
any yes/no question for confirm, any look/ask/contact verb for verify) and per-item quotas, plus random lines.
Like round 1 it never runs the project's detectors: the nets pick lines to label, they do not label them.
The lines fall into dev/test by the same fingerprint rule as every other labelled line.

usage: tools/labelling/draw-sample.py [--corpus PATH] [--out PATH] [--seed N] [--quota N] [--random N]
       tools/labelling/draw-sample.py --round 2 --exclude ROUND1_SAMPLE --out PATH --seed 20261201 --random 150
       tools/labelling/draw-sample.py --round 3 --exclude ROUND1_SAMPLE --exclude ROUND2_SAMPLE --out PATH --seed 20261202 --random 70
"""
import argparse, os, random, re, sys

# Broad nets per item (see the module docstring): every rubric phrase's core plus its everyday variants.
CANDIDATE_NETS = {
    "greeting.opening": r"您好|你好|欢迎|很高兴|有什么可以帮|早上好|下午好|晚上好",
    "greeting.self_intro": r"我是|这里是|号客服|客服.{0,6}为您服务|工号|专属|客服代表|客服专员|我叫",
    "wait.request": r"稍等|稍候|等一下|等下|等等|等我|耐心等|挂机|挂断",
    "wait.thanks": r"久等|耐心|等待",
    "closing.more_help": r"还有(其他|什么|别的|其它)|其他.{0,8}吗|还需要",
    "closing.farewell": r"再见|拜拜|祝|快乐|愉快|感谢.{0,6}(支持|咨询|来电|光临)|谢谢.{0,4}来电|欢迎.{0,4}(下次|再次|随时)|随时|期待",
    "courtesy.apology": r"抱歉|对不起|不好意思|添麻烦|不便|谅解|歉|见谅|包涵|耽误",
    "courtesy.empathy": r"理解|放心|着急|担心|辛苦|委屈|体会|明白|心情|感受",
    "courtesy.polite_words": r"请|谢|感谢|抱歉|对不起|不好意思|麻烦|您好|你好|辛苦",
    "attitude.forbidden": r"不知道|没办法|管不了|不归|规定|自己|说了|说过|听清|找别人|无法|不清楚|你等着",
    "attitude.insult": r"有病|神经|白痴|笨|滚|闭嘴|烦不烦|爱买不买|懒得|自己的问题|有完没完|你算什么",
    "handling.confirm": r"确认|对吗|是吗|对吧|是不是|重复|核对|是这个|没错吧|是哪",
    "handling.verify": r"查|看下|看一下|看看|核实|核查|确认|问下|问一下|了解一下|联系.{0,4}(站点|仓库|配送|商家|库房)",
    "handling.transfer": r"转|人工|专员|挂机",
    "security.pii_disclosure": r"身份证|卡号|银行卡|电话|手机号|地址|住址|\d{6,}",
}

# Round 2: the four items still short after round 1, with per-item quotas (candidate lines drawn).
ENRICH_NETS = {
    "handling.confirm": (300, r"确认|核对|对吗|对吧|是吗|是吧|是不是|是这个|没错|您是要|您要|您是|需要.{0,8}吗|[吗吧][？?]"),
    "handling.verify": (250, r"查|看下|看一下|看看|核实|核查|确认|问下|问一下|问问|了解|联系|咨询|瞅|瞧|跟进"),
    "attitude.forbidden": (134, r"不知道|不清楚|没办法|没有办法|管不了|不归|规定|自己|说了|说过|听清|找别人|无法|只能"),
    "greeting.self_intro": (68, r"我是|这里是|号客服|为您服务|专属|我叫|客服|本人"),
}


# Round 3: aimed at the two items whose test recall stayed short after round 2 (handling.confirm, handling.verify),
# plus forbidden, whose two-pass agreement was the lowest: more real wording of each, drawn from lines never labelled.
# Nets are round 2's (the guide's forms: tags, 您是…吗, look/ask/contact verbs; refusals and disclaimers).
ROUND3_NETS = {
    "handling.confirm": (250, ENRICH_NETS["handling.confirm"][1]),
    "handling.verify": (250, ENRICH_NETS["handling.verify"][1]),
    "attitude.forbidden": (80, ENRICH_NETS["attitude.forbidden"][1]),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.abspath(os.path.join(here, "..", ".."))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=os.path.join(repo, "..", "shared", "corpora", "jddc-agent-responses.txt"))
    p.add_argument("--out", required=True, help="where to write id<TAB>text (outside the repository: the corpus text is never committed)")
    p.add_argument("--seed", type=int, default=20261130)
    p.add_argument("--quota", type=int, default=150, help="candidate lines drawn per item")
    p.add_argument("--random", type=int, default=850, help="uniformly random lines drawn on top")
    p.add_argument("--round", type=int, default=1, choices=[1, 2, 3], help="1: the first stratified sample; 2: the enrichment round; 3: confirm/verify/forbidden enrichment")
    p.add_argument("--exclude", action="append", default=[], help="an earlier sample (id<TAB>text) whose lines are not drawn again")
    a = p.parse_args()

    if not os.path.isfile(a.corpus):
        sys.exit(f"draw-sample: corpus not found: {a.corpus}")
    out = os.path.abspath(a.out)
    if out.startswith(repo + os.sep):
        sys.exit("draw-sample: the sample holds corpus text and must be written outside the repository")

    with open(a.corpus, encoding="utf-8") as f:
        lines = [re.sub(r"[\t\r\n]+", " ", l).strip() for l in f]
    lines = [l for l in lines if l]
    excluded = set()
    for path in a.exclude:
        with open(path, encoding="utf-8") as f:
            excluded.update(l.rstrip("\n").split("\t", 1)[1] for l in f if "\t" in l)
    rng = random.Random(a.seed)
    pool = [i for i, l in enumerate(lines) if l not in excluded]
    nets = ({item: (a.quota, net) for item, net in CANDIDATE_NETS.items()} if a.round == 1
            else ENRICH_NETS if a.round == 2 else ROUND3_NETS)

    chosen, reasons = [], {}
    def take(i, why):
        if i not in reasons:
            reasons[i] = why
            chosen.append(i)

    for item, (quota, net) in nets.items():
        rx = re.compile(net)
        cands = [i for i in pool if rx.search(lines[i])]
        rng.shuffle(cands)
        for i in cands[:quota]:
            take(i, item)
        print(f"{item:26} candidates {len(cands):5}  drawn {min(len(cands), quota):4}", file=sys.stderr)

    rest = [i for i in pool if i not in reasons]
    rng.shuffle(rest)
    for i in rest[: a.random]:
        take(i, "random")

    rng.shuffle(chosen)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for n, i in enumerate(chosen, 1):
            f.write(f"{n}\t{lines[i]}\n")
    print(f"draw-sample: {len(chosen)} lines ({sum(1 for r in reasons.values() if r == 'random')} random) -> {out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
