using System.Collections;
using System.ComponentModel.DataAnnotations;

namespace Resilience.Metrics;

// The data annotations of the options. Each is the standard attribute ([Range], [Required], [MaxLength]; [EnumDataType]
// is sealed, so [Defined] does its work) with one change: its message is the library's, "<option path> <rule>; it was <value>.", where the
// option path is the validation context's display name ("ApiMonitoringOptions.Retry.BackoffFactor" from the generated
// validators). The source-generated validators ([OptionsValidator], OptionsAnnotations) and Polly's own check of a
// strategy's options both run them.

/// <summary><see cref="MaxLengthAttribute"/> of a collection: at most <c>length</c> items.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class MaxItemsAttribute(int length, string rule, string unit) : MaxLengthAttribute(length)
{
    /// <summary>The rule in words: "must hold at most 32 values".</summary>
    public string Rule { get; } = rule;

    /// <summary>What the items are called in the message: "values", "models".</summary>
    public string Unit { get; } = unit;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : OptionRule.Fail(validationContext, Rule, $"{(value as ICollection)?.Count} {Unit}");
}
