namespace Resilience.Metrics;

/// <summary>
/// Receives alerts (a chat channel, a pager, an e-mail). Register any number as singletons:
/// <c>services.AddSingleton&lt;IAlertSink, MySink&gt;()</c>; each gets every alert. A sink that throws is logged and
/// counted (<see cref="IAlertMonitor.SinkFailures"/>); the other sinks and later checks go on.
/// </summary>
public interface IAlertSink
{
    /// <summary>Delivers one alert. Called once per state change, from the alert check (one call at a time).</summary>
    /// <param name="alert">The alert.</param>
    /// <param name="cancellationToken">Cancelled when the application stops.</param>
    ValueTask SendAsync(Alert alert, CancellationToken cancellationToken);
}
