namespace Resilience.Metrics.Tests.Collection;

public sealed class RegistrationTests : IDisposable
{
    private readonly MetricsCollector _collector = new();

    public void Dispose() => _collector.Dispose();

    [Fact]
    public void A_registration_without_settings_keeps_the_backends_settings()
    {
        // The Polly bridge registers the backend of a watched pipeline by name only: the client's settings must survive.
        var key = _collector.RegisterBackend("openai", new BackendRegistration { MetricsWindowSize = 50, GenAiProviderName = "openai" });

        var again = _collector.RegisterBackend("openai");

        Assert.Equal(key, again);
        var registration = _collector.Get(key).Registration;
        Assert.Equal((50, "openai"), (registration.MetricsWindowSize, registration.GenAiProviderName));
    }
}
