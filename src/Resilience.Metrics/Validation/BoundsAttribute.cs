using System.ComponentModel.DataAnnotations;

namespace Resilience.Metrics;

// The data annotations of the options. Each is the standard attribute ([Range], [Required], [MaxLength]; [EnumDataType]
// is sealed, so [Defined] does its work) with one change: its message is the library's, "<option path> <rule>; it was <value>.", where the
// option path is the validation context's display name ("ApiMonitoringOptions.Retry.BackoffFactor" from the generated
// validators). The source-generated validators ([OptionsValidator], OptionsAnnotations) and Polly's own check of a
// strategy's options both run them.

/// <summary><see cref="RangeAttribute"/> with the option's path, its rule and the value in the message.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class BoundsAttribute : RangeAttribute
{
    public BoundsAttribute(int minimum, int maximum, string rule)
        : base(minimum, maximum) => Rule = rule;

    public BoundsAttribute(double minimum, double maximum, string rule)
        : base(minimum, maximum) => Rule = rule;

    /// <summary>Bounds of another type (<see cref="TimeSpan"/>), written in the invariant culture (<c>"1.00:00:00"</c>).</summary>
    public BoundsAttribute(Type type, string minimum, string maximum, string rule)
        : base(type, minimum, maximum)
    {
        Rule = rule;
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
    }

    /// <summary>The rule in words: "must be from 1 to 100".</summary>
    public string Rule { get; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : OptionRule.Fail(validationContext, Rule, value);
}
