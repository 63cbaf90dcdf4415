namespace Resilience.Metrics.Tests.DependencyInjection;

public class BackendClaimsTests
{
    private static readonly BackendRegistration Plain = new();
    private static readonly BackendRegistration Detailed = new() { DetailedLatency = true };

    [Fact]
    public void Clients_share_a_backend_only_with_the_same_settings_and_let_go_of_it_when_they_move()
    {
        var claims = new BackendClaims();

        Assert.Null(claims.Claim("openai", "chat", Plain));
        Assert.Null(claims.Claim("openai", "embed", Plain));
        Assert.Contains("DetailedLatency", claims.Claim("openai", "other", Detailed));

        // chat reloads onto another name: embed still holds openai with its settings.
        Assert.Null(claims.Claim("openai-chat", "chat", Detailed));
        Assert.Contains("\"embed\"", claims.Claim("openai", "other", Detailed));

        // embed moves too: openai is free.
        Assert.Null(claims.Claim("openai-embed", "embed", Plain));
        Assert.Null(claims.Claim("openai", "other", Detailed));
    }

    [Fact]
    public void A_client_alone_on_its_backend_may_change_its_settings()
    {
        var claims = new BackendClaims();

        Assert.Null(claims.Claim("openai", "chat", Plain));
        Assert.Null(claims.Claim("openai", "chat", Detailed));
        Assert.Null(claims.Claim("openai", "embed", Detailed));
    }
}
