using System.ComponentModel.DataAnnotations;

namespace Resilience.Metrics;

// The data annotations of the options. Each is the standard attribute ([Range], [Required], [MaxLength]; [EnumDataType]
// is sealed, so [Defined] does its work) with one change: its message is the library's, "<option path> <rule>; it was <value>.", where the
// option path is the validation context's display name ("ApiMonitoringOptions.Retry.BackoffFactor" from the generated
// validators). The source-generated validators ([OptionsValidator], OptionsAnnotations) and Polly's own check of a
// strategy's options both run them.

/// <summary>Like <see cref="EnumDataTypeAttribute"/> (which is sealed): the value must be one of the enum's names.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class DefinedAttribute(Type enumType) : ValidationAttribute
{
    /// <summary>The enum the value must be a member of.</summary>
    public Type EnumType { get; } = enumType;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is null || Enum.IsDefined(EnumType, value)
            ? ValidationResult.Success
            : OptionRule.Fail(validationContext, "must be one of " + string.Join(", ", Enum.GetNames(EnumType)), value);
}
