using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Resilience.Metrics;

// The data annotations of the options. Each is the standard attribute ([Range], [Required], [MaxLength]; [EnumDataType]
// is sealed, so [Defined] does its work) with one change: its message is the library's, "<option path> <rule>; it was <value>.", where the
// option path is the validation context's display name ("ApiMonitoringOptions.Retry.BackoffFactor" from the generated
// validators). The source-generated validators ([OptionsValidator], OptionsAnnotations) and Polly's own check of a
// strategy's options both run them.

/// <summary>Builds the message every option rule fails with.</summary>
internal static class OptionRule
{
    /// <summary>"<c>{option} {rule}; it was {value}.</c>" (invariant culture; null shows as <c>null</c>).</summary>
    public static string Message(string option, string rule, object? value) =>
        string.Create(CultureInfo.InvariantCulture, $"{option} {rule}; it was {value ?? "null"}.");

    public static ValidationResult Fail(ValidationContext context, string rule, object? value) =>
        new(Message(context.DisplayName, rule, value));
}
