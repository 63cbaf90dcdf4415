using System.Collections;
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

/// <summary><see cref="RequiredAttribute"/>: the option must not be null.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NotNullOptionAttribute : RequiredAttribute
{
    /// <summary>The rule in words. Default "must not be null".</summary>
    public string Rule { get; set; } = "must not be null";

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is null ? OptionRule.Fail(validationContext, Rule, null) : ValidationResult.Success;
}

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
