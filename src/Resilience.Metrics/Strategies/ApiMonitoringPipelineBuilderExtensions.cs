using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using Resilience.Metrics;

namespace Polly;

/// <summary>
/// Adds the monitoring strategies to any Polly pipeline: all of them at once (<see cref="AddApiMonitoring{T}(ResiliencePipelineBuilder{T}, string, IMetricsCollector, Action{ApiMonitoringOptions}?, ILoggerFactory?)"/>)
/// or one by one.
/// </summary>
public static class ApiMonitoringPipelineBuilderExtensions
{
    /// <summary>
    /// Adds, outermost first: request monitoring, the priority queue, retry, the circuit breaker and the attempt
    /// timeout, each as configured, all reporting to <paramref name="collector"/> as backend <paramref name="backend"/>.
    /// (With both on, the queue runs inside the request-monitoring strategy, one Polly strategy layer less per request.)
    /// Use it for non-HTTP work (an S3 SDK call, a gRPC client); HTTP clients use <c>IHttpClientBuilder.AddApiMonitoring</c>.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names it.</exception>
    public static ResiliencePipelineBuilder<T> AddApiMonitoring<T>(
        this ResiliencePipelineBuilder<T> builder,
        string backend,
        IMetricsCollector collector,
        Action<ApiMonitoringOptions>? configure = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        ArgumentNullException.ThrowIfNull(collector);

        var options = new ApiMonitoringOptions { BackendName = backend };
        configure?.Invoke(options);
        OptionRules.ThrowIfInvalid(backend, options);
        return builder.AddApiMonitoring(options, collector, loggerFactory);
    }

    internal static ResiliencePipelineBuilder<T> AddApiMonitoring<T>(
        this ResiliencePipelineBuilder<T> builder,
        ApiMonitoringOptions options,
        IMetricsCollector collector,
        ILoggerFactory? loggerFactory,
        TimeSpan? httpClientTimeout = null,
        Func<BackendKey, GuardedMetricsCollector, ApiQueueStrategyOptions, ApiQueue>? queues = null,
        MetricsCollector? reported = null)
    {
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Resilience.Metrics");
        var guarded = options.MetricsEnabled
            ? GuardedMetricsCollector.Wrap(collector, logger, reported)
            : GuardedMetricsCollector.Wrap(NullMetricsCollector.Instance, logger);
        var backend = guarded.RegisterBackend(options.BackendName!, options.ToRegistration());
        if (options.Resilience == ApiResilience.None)
        {
            // Monitor only: the client's resilience is someone else's (its retries reach the report through Polly's telemetry).
            if (options.MetricsEnabled)
            {
                var observing = options.ToRequestMonitoring();
                observing.HttpClientTimeout = httpClientTimeout;
                builder.AddStrategy(_ => new RequestMonitoringStrategy<T>(backend, guarded, observing), observing);
            }

            return builder;
        }

        if (options.MetricsEnabled)
        {
            // Request monitoring runs the queue itself (same order: monitoring outside, queue inside): one Polly
            // strategy layer less per request than the two as strategies of their own.
            var monitoring = options.ToRequestMonitoring();
            monitoring.HttpClientTimeout = httpClientTimeout;
            var queue = options.Queue.Enabled ? options.Queue : null;
            builder.AddStrategy(
                _ => new RequestMonitoringStrategy<T>(backend, guarded, monitoring,
                    queue is null ? null : queues?.Invoke(backend, guarded, queue) ?? new ApiQueue(backend, guarded, queue)),
                monitoring);
        }
        else if (options.Queue.Enabled)
        {
            var queue = options.Queue.Copy();
            builder.AddStrategy(_ => new ApiQueueStrategy(backend, guarded, queue), queue);
        }

        // The options were validated above; the strategies share the one guarded collector (and its logger).
        if (options.Retry is { Enabled: true, MaxRetries: > 0 })
        {
            if (!options.MetricsEnabled)
            {
                // Request monitoring buffers an SDK's body on its way; without it, this does, so retries stay the same.
                builder.AddStrategy(static _ => new RequestBufferingStrategy(), RequestBufferingStrategy.Options);
            }

            builder.AddRetry(ApiRetry.ToPolly<T>(backend, guarded, options.Retry.Copy()));
        }

        if (options.CircuitBreaker.Enabled)
        {
            ApiCircuitBreaker.Add(builder, backend, guarded, ApiCircuitBreaker.ToPolly<T>(options.CircuitBreaker), logger);
        }

        if (options.AttemptTimeout is { } timeout)
        {
            builder.AddTimeout(timeout);
        }

        return builder;
    }

    /// <summary>Adds the outermost strategy: one <see cref="RequestCompleted"/> per request, with latency, outcome, model, tokens and (optionally) a trace.</summary>
    /// <remarks>The strategy keeps a copy of <paramref name="options"/>: changing them afterwards changes nothing.</remarks>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names it (<c>RequestMonitoringStrategyOptions.ApiFormat</c>).</exception>
    internal static ResiliencePipelineBuilder<T> AddApiRequestMonitoring<T>(
        this ResiliencePipelineBuilder<T> builder, BackendKey backend, IMetricsCollector collector, RequestMonitoringStrategyOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(options);
        OptionRules.ThrowIfInvalid(options, backend);
        options = options.Copy();
        logger ??= NullLogger.Instance;
        return builder.AddStrategy(_ => new RequestMonitoringStrategy<T>(backend, GuardedMetricsCollector.Wrap(collector, logger), options), options);
    }

    /// <summary>Adds priority queueing with a concurrency limit; works on any pipeline.</summary>
    /// <remarks>The strategy keeps a copy of <paramref name="options"/>: changing them afterwards changes nothing.</remarks>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names it (<c>ApiQueueStrategyOptions.QueueSize</c>).</exception>
    public static TBuilder AddApiQueue<TBuilder>(this TBuilder builder, BackendKey backend, IMetricsCollector collector, ApiQueueStrategyOptions options)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(options);
        OptionRules.ThrowIfInvalid(options, backend);
        options = options.Copy();
        return builder.AddStrategy(_ => new ApiQueueStrategy(backend, GuardedMetricsCollector.Wrap(collector, null), options), options);
    }

    /// <summary>Adds Polly's retry with exponential backoff and Retry-After, counting retries and their errors.</summary>
    /// <remarks>The strategy keeps a copy of <paramref name="options"/>: changing them afterwards changes nothing.</remarks>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names it (<c>ApiRetryStrategyOptions.BackoffFactor</c>).</exception>
    public static ResiliencePipelineBuilder<T> AddApiRetry<T>(this ResiliencePipelineBuilder<T> builder, BackendKey backend, IMetricsCollector collector, ApiRetryStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(options);
        OptionRules.ThrowIfInvalid(options, backend);
        // An SDK's body is buffered first (at once if request monitoring outside did it already), so it can be sent again.
        return builder
            .AddStrategy(static _ => new RequestBufferingStrategy(), RequestBufferingStrategy.Options)
            .AddRetry(ApiRetry.ToPolly<T>(backend, GuardedMetricsCollector.Wrap(collector, null), options.Copy()));
    }

    /// <summary>Adds Polly's circuit breaker configured from the guide's options, logging and recording its state changes.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names it (<c>ApiCircuitBreakerStrategyOptions.FailureThreshold</c>).</exception>
    public static ResiliencePipelineBuilder<T> AddApiCircuitBreaker<T>(
        this ResiliencePipelineBuilder<T> builder, BackendKey backend, IMetricsCollector collector, ApiCircuitBreakerStrategyOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionRules.ThrowIfInvalid(options, backend);
        return builder.AddApiCircuitBreaker(backend, collector, ApiCircuitBreaker.ToPolly<T>(options), logger);
    }

    /// <summary>
    /// Adds Polly's circuit breaker with Polly's own options, logging and recording its state changes (your callbacks
    /// and predicate still run). <paramref name="options"/> is copied, never changed; Polly checks its own options
    /// (a <see cref="System.ComponentModel.DataAnnotations.ValidationException"/> when one is out of range).
    /// </summary>
    public static ResiliencePipelineBuilder<T> AddApiCircuitBreaker<T>(
        this ResiliencePipelineBuilder<T> builder, BackendKey backend, IMetricsCollector collector, CircuitBreakerStrategyOptions<T> options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(options);
        ApiCircuitBreaker.Add(builder, backend, GuardedMetricsCollector.Wrap(collector, logger), options, logger ?? NullLogger.Instance);
        return builder;
    }
}
