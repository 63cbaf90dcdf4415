using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Metrics.Tests.Telemetry;

public sealed class PublishTests
{
    [Fact]
    public void A_disposed_collector_is_no_longer_observed_on_a_factory_s_meter()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        var collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(collector, factory);
        collector.RegisterBackend("disposed-backend");
        Assert.Equal(3, CircuitStatePoints(factory, "disposed-backend"));   // one per state

        collector.Dispose();

        // The factory's meter outlives the collector: its gauges must say nothing more of it (nor keep it alive).
        Assert.Equal(0, CircuitStatePoints(factory, "disposed-backend"));
        Assert.False(collector.IsObserved);
        ApiMonitoringTelemetry.Publish(collector, factory);
        Assert.False(collector.IsObserved);
    }

    [Fact]
    public void Publishing_twice_makes_one_set_of_instruments()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        using var collector = new MetricsCollector();

        Parallel.For(0, 8, _ => ApiMonitoringTelemetry.Publish(collector, factory));
        collector.RegisterBackend("published-twice");

        Assert.Equal(3, CircuitStatePoints(factory, "published-twice"));
    }

    private static int CircuitStatePoints(IMeterFactory factory, string backend)
    {
        var seen = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "api.client.circuit.state")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "api.backend" && Equals(tag.Value, backend))
                {
                    Interlocked.Increment(ref seen);
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
