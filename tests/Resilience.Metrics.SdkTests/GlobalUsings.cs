global using Resilience.Metrics;
global using Resilience.Metrics.SdkTests.Servers;
