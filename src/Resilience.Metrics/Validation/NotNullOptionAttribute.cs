using System.ComponentModel.DataAnnotations;

namespace Resilience.Metrics;

// The data annotations of the options. Each is the standard attribute ([Range], [Required], [MaxLength]; [EnumDataType]
// is sealed, so [Defined] does its work) with one change: its message is the library's, "<option path> <rule>; it was <value>.", where the
// option path is the validation context's display name ("ApiMonitoringOptions.Retry.BackoffFactor" from the generated
// validators). The source-generated validators ([OptionsValidator], OptionsAnnotations) and Polly's own check of a
// strategy's options both run them.

/// <summary><see cref="RequiredAttribute"/>: the option must not be null.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NotNullOptionAttribute : RequiredAttribute
{
    /// <summary>The rule in words. Default "must not be null".</summary>
    public string Rule { get; set; } = "must not be null";

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is null ? OptionRule.Fail(validationContext, Rule, null) : ValidationResult.Success;
}
