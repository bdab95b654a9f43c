using System.Globalization;
using System.Net;
using System.Text;

namespace QaPipeline.Web.Dashboards;

/// <summary>
/// Charts drawn on the server as inline SVG: a line chart of series over ordered labels and a horizontal bar chart
/// of shares. They render without JavaScript, print, and show in screenshots and tests exactly as users see them;
/// a charting library from npm would add a bundle and a client-side render step for what is two chart types.
/// </summary>
public static class SvgChart
{
    private static readonly string[] Palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"];
    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    public static string Line(string title, IReadOnlyList<string> labels, IReadOnlyDictionary<string, IReadOnlyList<double?>> series,
        double min, double max, string unit, int width = 640, int height = 240)
    {
        const int left = 40, right = 120, top = 24, bottom = 36;
        var w = width - left - right;
        var h = height - top - bottom;
        var sb = new StringBuilder($"<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\"><title>{WebUtility.HtmlEncode(title)}</title>");
        sb.Append($"<text x=\"{left}\" y=\"14\" class=\"chart-title\">{WebUtility.HtmlEncode(title)}</text>");
        for (var i = 0; i <= 4; i++)
        {
            var v = min + (max - min) * i / 4;
            var y = top + h - h * i / 4.0;
            sb.Append($"<line x1=\"{left}\" x2=\"{left + w}\" y1=\"{F(y)}\" y2=\"{F(y)}\" class=\"grid\"/><text x=\"{left - 4}\" y=\"{F(y + 4)}\" text-anchor=\"end\" class=\"axis\">{F(v)}{unit}</text>");
        }
        double X(int i) => labels.Count <= 1 ? left + w / 2.0 : left + w * i / (double)(labels.Count - 1);
        double Y(double v) => top + h - h * (Math.Clamp(v, min, max) - min) / Math.Max(1e-9, max - min);
        var step = Math.Max(1, labels.Count / 6);
        for (var i = 0; i < labels.Count; i += step)
            sb.Append($"<text x=\"{F(X(i))}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\" class=\"axis\">{WebUtility.HtmlEncode(labels[i])}</text>");
        var k = 0;
        foreach (var (name, values) in series)
        {
            var color = Palette[k % Palette.Length];
            var points = values.Select((v, i) => v is { } y ? $"{F(X(i))},{F(Y(y))}" : null).Where(p => p is not null);
            sb.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"><title>{WebUtility.HtmlEncode(name)}</title></polyline>");
            for (var i = 0; i < values.Count; i++)
                if (values[i] is { } y)
                    sb.Append($"<circle cx=\"{F(X(i))}\" cy=\"{F(Y(y))}\" r=\"3\" fill=\"{color}\"><title>{WebUtility.HtmlEncode($"{name} {labels[i]}: {F(y)}{unit}")}</title></circle>");
            sb.Append($"<rect x=\"{left + w + 10}\" y=\"{top + k * 16}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{left + w + 24}\" y=\"{top + k * 16 + 9}\" class=\"legend\">{WebUtility.HtmlEncode(name)}</text>");
            k++;
        }
        return sb.Append("</svg>").ToString();
    }

    public static string Bars(string title, IReadOnlyList<(string Label, double Share, string Detail)> bars, int width = 640)
    {
        const int labelWidth = 200, rowHeight = 20, top = 24;
        var height = top + Math.Max(1, bars.Count) * rowHeight + 8;
        var w = width - labelWidth - 60;
        var sb = new StringBuilder($"<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\"><title>{WebUtility.HtmlEncode(title)}</title>");
        sb.Append($"<text x=\"0\" y=\"14\" class=\"chart-title\">{WebUtility.HtmlEncode(title)}</text>");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, share, detail) = bars[i];
            var y = top + i * rowHeight;
            sb.Append($"<text x=\"{labelWidth - 6}\" y=\"{y + 13}\" text-anchor=\"end\" class=\"axis\">{WebUtility.HtmlEncode(label)}</text>");
            sb.Append($"<rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{F(w * Math.Clamp(share, 0, 1))}\" height=\"{rowHeight - 6}\" fill=\"{Palette[0]}\"><title>{WebUtility.HtmlEncode(detail)}</title></rect>");
            sb.Append($"<text x=\"{F(labelWidth + w * Math.Clamp(share, 0, 1) + 4)}\" y=\"{y + 13}\" class=\"axis\">{F(100 * share)}%</text>");
        }
        return sb.Append("</svg>").ToString();
    }
}
