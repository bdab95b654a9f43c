namespace QaPipeline.Calibration.Agreement;

/// <summary>
/// The few distribution functions the confidence intervals need (F and Student t quantiles).
/// The regularized incomplete beta function is evaluated with the continued fraction of
/// Press et al., Numerical Recipes (3rd ed., 2007), §6.4, using the modified Lentz method; the
/// log-gamma with the Lanczos approximation (g = 7, n = 9) of the same chapter (§6.1).
/// Quantiles are found by bisection on the beta variable, which is monotone and cannot diverge.
/// </summary>
internal static class Distributions
{
    /// <summary>Two-sided 95% standard-normal quantile, z(0.975).</summary>
    public const double Z975 = 1.959963984540054;

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7,
    ];

    public static double LogGamma(double x)
    {
        if (x < 0.5)
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        var a = Lanczos[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++) a += Lanczos[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>Regularized incomplete beta I_x(a, b).</summary>
    public static double IncompleteBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        // The continued fraction converges quickly for x < (a+1)/(a+b+2); use the symmetry otherwise.
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(x, a, b) / a
            : 1 - front * BetaContinuedFraction(1 - x, b, a) / b;
    }

    private static double BetaContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1;
        double c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 1000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d; h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-15) break;
        }
        return h;
    }

    /// <summary>The value y in (0, 1) with I_y(a, b) = p.</summary>
    private static double InverseIncompleteBeta(double p, double a, double b)
    {
        double lo = 0, hi = 1;
        for (var i = 0; i < 200; i++)
        {
            var mid = (lo + hi) / 2;
            if (IncompleteBeta(mid, a, b) < p) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /// <summary>Quantile of the F(df1, df2) distribution: P(F ≤ q) = p. Degrees of freedom may be fractional (Satterthwaite).</summary>
    public static double FQuantile(double p, double df1, double df2)
    {
        // F = (df2 / df1) · Y / (1 − Y) with Y ~ Beta(df1/2, df2/2).
        var y = InverseIncompleteBeta(p, df1 / 2, df2 / 2);
        return df2 * y / (df1 * (1 - y));
    }

    /// <summary>Quantile of Student's t with df degrees of freedom, for p ≥ 0.5.</summary>
    public static double TQuantile(double p, double df)
    {
        // P(|T| ≤ t) = I_{t²/(df+t²)}(1/2, df/2).
        var y = InverseIncompleteBeta(2 * p - 1, 0.5, df / 2);
        return Math.Sqrt(df * y / (1 - y));
    }
}
