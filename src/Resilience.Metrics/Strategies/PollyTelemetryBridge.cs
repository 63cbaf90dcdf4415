using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Telemetry;

namespace Resilience.Metrics;

/// <summary>
/// Listens to the telemetry of the Polly pipelines this library did not build but was asked to watch — those of
/// monitored HttpClients (<c>AddStandardResilienceHandler()</c>, <c>AddResilienceHandler(...)</c>) and those named with
/// <c>ObserveResiliencePipeline</c> — and records their retries and circuit transitions for their backend.
/// </summary>
/// <remarks>
/// Which pipeline belongs to which backend is decided by exact names (<see cref="ObservedPipelines"/>), once per
/// pipeline name; any other pipeline is ignored, so no backend is ever invented. The retry and breaker strategies of
/// <c>AddApiMonitoring</c> (named <c>ApiRetry</c>, <c>ApiCircuitBreaker</c>) report directly and are skipped here,
/// whatever pipeline they are in. A retry also marks the request's context as retried, so the monitoring outside
/// the retrying handler counts the request as retried.
/// </remarks>
internal sealed class PollyTelemetryBridge(GuardedMetricsCollector collector, ObservedPipelines observed, Func<string, string> backendOfClient) : TelemetryListener
{
    private readonly ConcurrentDictionary<string, BackendKey?> _backends = new(StringComparer.Ordinal);

    public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
    {
        try
        {
            if (IsOwnStrategy(args.Source.StrategyName))
            {
                return;
            }

            if (typeof(TArgs) == typeof(OnRetryArguments<TResult>))
            {
                var arguments = args.Arguments;
                ref readonly var retry = ref Unsafe.As<TArgs, OnRetryArguments<TResult>>(ref arguments);
                if (Backend(args.Source.PipelineName) is { } backend)
                {
                    ApiRetry.Record(in retry, args.Context, collector, backend);
                }
            }
            else if (typeof(TArgs) == typeof(OnCircuitOpenedArguments<TResult>))
            {
                // The break's length lets an idle circuit be reported HALF-OPEN once it has elapsed.
                var arguments = args.Arguments;
                ref readonly var opened = ref Unsafe.As<TArgs, OnCircuitOpenedArguments<TResult>>(ref arguments);
                Change(args.Source.PipelineName, CircuitState.Open, opened.IsManual ? null : opened.BreakDuration);
            }
            else if (typeof(TArgs) == typeof(OnCircuitHalfOpenedArguments))
            {
                Change(args.Source.PipelineName, CircuitState.HalfOpen);
            }
            else if (typeof(TArgs) == typeof(OnCircuitClosedArguments<TResult>))
            {
                Change(args.Source.PipelineName, CircuitState.Closed);
            }
        }
        catch (Exception)
        {
            // A listener must never break the pipeline it listens to.
        }
    }

    private static bool IsOwnStrategy(string? strategyName) =>
        strategyName is ApiRetryStrategyOptions.DefaultName or ApiCircuitBreakerStrategyOptions.DefaultName;

    private void Change(string? pipelineName, CircuitState state, TimeSpan? breakDuration = null)
    {
        if (Backend(pipelineName) is { } backend)
        {
            collector.RecordCircuitStateChange(new CircuitStateChanged(backend, state) { BreakDuration = breakDuration });
        }
    }

    private BackendKey? Backend(string? pipelineName)
    {
        if (string.IsNullOrEmpty(pipelineName))
        {
            return null;
        }

        // Looked up first: the factory (a closure) is made only for a pipeline name not seen yet.
        return _backends.TryGetValue(pipelineName, out var known)
            ? known
            : _backends.GetOrAdd(pipelineName, name =>
                observed.BackendOf(name, backendOfClient) is { } backend ? collector.RegisterBackend(backend) : null);
    }
}
