namespace QaPipeline.Calibration.Agreement;

/// <summary>A two-sided 95% confidence interval.</summary>
public readonly record struct ConfidenceInterval(double Lower, double Upper);
