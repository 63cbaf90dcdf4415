using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Telemetry;

namespace Resilience.Metrics;

/// <summary>
/// Listens to the telemetry of Polly pipelines this library did not build (<c>AddStandardResilienceHandler</c>, an
/// application's own <c>AddResiliencePipeline</c>) and records their retries and circuit transitions for the
/// backend the pipeline belongs to, so the reporter sees them too.
/// </summary>
/// <remarks>
/// A pipeline belongs to the backend named before the last <c>-</c> of its name: Microsoft.Extensions.Http.Resilience
/// names an HttpClient's pipeline <c>{client}-{handler}</c> (<c>openai-standard</c>); a pipeline without a <c>-</c>
/// is the backend of its own name. Pipelines built by <c>AddApiMonitoring</c> report directly and are skipped here.
/// </remarks>
internal sealed class PollyTelemetryBridge(IMetricsCollector collector) : TelemetryListener
{
    private const string OwnHandlerSuffix = "-" + Microsoft.Extensions.DependencyInjection.ApiMonitoringServiceCollectionExtensions.HandlerName;

    private readonly ConcurrentDictionary<string, BackendKey?> _backends = new(StringComparer.Ordinal);

    public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
    {
        try
        {
            if (typeof(TArgs) == typeof(OnRetryArguments<TResult>))
            {
                var arguments = args.Arguments;
                ref readonly var retry = ref Unsafe.As<TArgs, OnRetryArguments<TResult>>(ref arguments);
                if (Backend(args.Source.PipelineName) is { } backend)
                {
                    var (category, type) = Outcomes.Classify(retry.Outcome, args.Context);
                    collector.RecordRetry(new RetryAttempted(backend)
                    {
                        AttemptNumber = retry.AttemptNumber + 1,
                        Delay = retry.RetryDelay,
                        ErrorCategory = category,
                        ErrorType = type,
                    });
                }
            }
            else if (typeof(TArgs) == typeof(OnCircuitOpenedArguments<TResult>))
            {
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

    private void Change(string? pipelineName, CircuitState state, TimeSpan? breakDuration = null)
    {
        if (Backend(pipelineName) is { } backend)
        {
            collector.RecordCircuitStateChange(new CircuitStateChanged(backend, state) { BreakDuration = breakDuration });
        }
    }

    private BackendKey? Backend(string? pipelineName)
    {
        if (string.IsNullOrEmpty(pipelineName) || pipelineName.EndsWith(OwnHandlerSuffix, StringComparison.Ordinal))
        {
            return null;
        }

        return _backends.GetOrAdd(pipelineName, static (name, collector) =>
        {
            var dash = name.LastIndexOf('-');
            return collector.RegisterBackend(dash > 0 ? name[..dash] : name);
        }, collector);
    }
}
