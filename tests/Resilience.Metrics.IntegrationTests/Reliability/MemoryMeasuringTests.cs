namespace Resilience.Metrics.IntegrationTests.Reliability;

/// <summary>
/// Tests that measure the process's managed memory run alone: other tests running beside them (a 50 MB body, a
/// Kestrel server) would move the figure they measure.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class MemoryMeasuringTests;
