using System.ClientModel;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using OpenAI.Chat;

namespace Resilience.Metrics.SdkTests;

/// <summary>
/// Azure's key travels in a header of every request (<c>api-key</c>): nothing the monitoring hands out — reports,
/// traces, JSON, Prometheus, ASCII, spans, metric tags — may carry it, for a call that succeeded, streamed, failed or
/// was refused for a wrong key.
/// </summary>
public sealed class AzureOpenAIKeyTests
{
    private const string WrongKey = "0badc0de0badc0de0badc0de0badc0de";

    [Fact]
    public async Task The_api_key_never_appears_in_any_report_trace_span_or_metric()
    {
        var (server, keys) = await AzureOpenAIWire.StartAsync();
        await using var _ = server;
        const string backend = "azure-openai-keys";
        await using var monitored = Monitored.Create(backend, null, o =>
        {
            o.ApiFormat = ApiFormat.Auto;
            o.Retry.Enabled = false;
            o.RequestTracing = true;
        });
        using var spans = new Spans(backend);
        var measurements = new List<string>();
        using var meterListener = Listen(monitored.MeterFactory, measurements);

        var chat = AzureOpenAISdkTests.ChatClient(monitored.Client, server);
        await chat.CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: TestContext.Current.CancellationToken);
        await AzureOpenAISdkTests.StreamAsync(chat);
        foreach (var status in new[] { 400, 429, 500 })
        {
            await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("fail:" + status)], cancellationToken: TestContext.Current.CancellationToken));
        }

        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            AzureOpenAISdkTests.ChatClient(monitored.Client, server, WrongKey).CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(401, refused.Status);
        meterListener.RecordObservableInstruments();

        // The keys did go out, in the header Azure reads.
        Assert.Equal([.. Enumerable.Repeat(AzureOpenAIWire.Key, 5), WrongKey], keys);
        var reporter = monitored.Reporter;
        var traces = reporter.GetRecentTraces(100, backend);
        Assert.Equal(6, traces.Count);
        Assert.Equal(6, monitored.Report.TotalRequests);
        Assert.Equal(6, spans.Stopped.Count);
        Assert.NotEmpty(measurements);

        var outputs = new Dictionary<string, string>
        {
            ["report"] = JsonSerializer.Serialize(monitored.Report),
            ["json report"] = reporter.GetJsonReport(backend),
            ["json reports"] = reporter.GetJsonReport(),
            ["json history"] = reporter.GetJsonHistory(),
            ["prometheus"] = reporter.GetPrometheusMetrics(),
            ["ascii"] = reporter.GetAsciiReport(backend),
            ["traces"] = string.Join("\n", traces.Select(t => JsonSerializer.Serialize(t) + " " + t)),
            ["trace by id"] = string.Join("\n", traces.Select(t => reporter.GetTrace(t.TraceId)?.ToString())),
            ["errors"] = JsonSerializer.Serialize(reporter.GetErrorMetrics(backend)),
            ["spans"] = string.Join("\n", spans.Stopped.Select(Describe)),
            ["metrics"] = string.Join("\n", measurements),
        };
        foreach (var (name, text) in outputs)
        {
            Assert.True(text.Length > 0, name + " is empty");
            foreach (var key in new[] { AzureOpenAIWire.Key, WrongKey })
            {
                // The whole key, and its first half (a masked key that shows too much).
                Assert.False(text.Contains(key[..16], StringComparison.OrdinalIgnoreCase), $"{name} holds the api-key {key}:\n{text}");
            }
        }
    }

    private static string Describe(Activity activity) =>
        $"{activity.DisplayName} {activity.Status} {activity.StatusDescription} "
        + string.Join(" ", activity.TagObjects.Select(t => $"{t.Key}={t.Value}"))
        + " " + string.Join(" ", activity.Events.Select(e => e.Name + ":" + string.Join(",", e.Tags.Select(t => $"{t.Key}={t.Value}"))))
        + " " + string.Join(" ", activity.Baggage.Select(b => $"{b.Key}={b.Value}"));

    /// <summary>Every measurement of this test's own meter, with its tags.</summary>
    private static MeterListener Listen(IMeterFactory factory, List<string> measurements)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ApiMonitoringTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var line = instrument.Name + " " + value + " " + string.Join(" ", tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (measurements)
            {
                measurements.Add(line);
            }
        }

        listener.SetMeasurementEventCallback<long>(Add);
        listener.SetMeasurementEventCallback<int>(Add);
        listener.SetMeasurementEventCallback<double>(Add);
        listener.Start();
        return listener;
    }
}
