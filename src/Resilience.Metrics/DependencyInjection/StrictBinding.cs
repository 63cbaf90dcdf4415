using Microsoft.Extensions.Configuration;

namespace Resilience.Metrics;

/// <summary>Finds keys of a monitoring section that no option has (a typo would otherwise leave the default in force).</summary>
internal static class StrictBinding
{
    /// <summary>The problem with <paramref name="section"/>'s keys, or null when every key is an option.</summary>
    public static string? UnknownKeys(IConfigurationSection section)
    {
        try
        {
            // Bound onto a throwaway instance: binding twice onto the real one would append array items twice.
            section.Bind(new ApiMonitoringOptions(), binder => binder.ErrorOnUnknownConfiguration = true);
            return null;
        }
        catch (InvalidOperationException exception)
        {
            // The binder's message names the unknown keys and the type that lacks them; inside a dictionary (Pricing)
            // it wraps that message in a vaguer one, so the innermost is the one to show.
            Exception innermost = exception;
            while (innermost.InnerException is { } inner)
            {
                innermost = inner;
            }

            return $"ApiMonitoringOptions: the configuration section \"{section.Path}\" has a key that is no option: {innermost.Message}";
        }
    }
}
