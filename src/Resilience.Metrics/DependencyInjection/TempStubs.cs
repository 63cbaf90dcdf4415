// TEMP stubs for the tests of issue 12; dropped when the real API lands.
namespace Resilience.Metrics
{
    /// <summary>TEMP stub.</summary>
    public enum ApiResilience
    {
        /// <summary>TEMP stub.</summary>
        Full = 0,

        /// <summary>TEMP stub.</summary>
        None = 1,
    }
}

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>TEMP stub.</summary>
    public static class TempObserveStub
    {
        /// <summary>TEMP stub.</summary>
        public static IServiceCollection ObserveResiliencePipeline(this IServiceCollection services, string pipelineName, string backend) => services.AddApiMonitoring();
    }
}
