using System.Net;
using System.Text.Json;

namespace Resilience.Metrics.Simulation.Tests;

/// <summary>Missing credentials get each API's real authentication error; only presence is checked.</summary>
public sealed class AuthenticationTests
{
    [Theory]
    [InlineData(SimulatedApi.OpenAI, 401)]
    [InlineData(SimulatedApi.Groq, 401)]
    [InlineData(SimulatedApi.Anthropic, 401)]
    [InlineData(SimulatedApi.Gemini, 403)]
    [InlineData(SimulatedApi.S3, 403)]
    public async Task Hosted_apis_refuse_requests_without_credentials(SimulatedApi api, int status)
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, api);
        using var request = SimulatedRequests.Create(api);
        Sim.RemoveCredentials(request);
        using var response = await client.SendAsync(request, Sim.Ct);
        var body = await Sim.TextAsync(response);

        Assert.Equal(status, (int)response.StatusCode);
        switch (api)
        {
            case SimulatedApi.OpenAI or SimulatedApi.Groq:
                Assert.Contains("API key", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
                Assert.Equal("invalid_request_error", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString());
                break;
            case SimulatedApi.Anthropic:
                Assert.Equal("authentication_error", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString());
                break;
            case SimulatedApi.Gemini:
                Assert.Equal("PERMISSION_DENIED", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("status").GetString());
                break;
            default:
                Assert.Contains("<Code>AccessDenied</Code>", body, StringComparison.Ordinal);
                break;
        }

        Assert.Equal(1, server[api].Requests);
        Assert.Equal(0, server[api].Succeeded);
    }

    [Fact]
    public async Task Any_credential_value_is_accepted()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.OpenAI);
        using var request = SimulatedRequests.Create(SimulatedApi.OpenAI);
        request.Headers.Authorization = new("Bearer", "anything");
        using var response = await client.SendAsync(request, Sim.Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Self_hosted_apis_need_no_credentials_unless_required()
    {
        await using var server = await Sim.StartAsync();
        using var client = Sim.Client(server, SimulatedApi.HuggingFaceTgi);
        using var open = SimulatedRequests.Create(SimulatedApi.HuggingFaceTgi);
        Sim.RemoveCredentials(open);
        using var openResponse = await client.SendAsync(open, Sim.Ct);

        server[SimulatedApi.HuggingFaceTgi].RequireAuthentication = true;
        using var closed = SimulatedRequests.Create(SimulatedApi.HuggingFaceTgi);
        Sim.RemoveCredentials(closed);
        using var closedResponse = await client.SendAsync(closed, Sim.Ct);
        using var json = await Sim.JsonAsync(closedResponse);
        using var withKey = SimulatedRequests.Create(SimulatedApi.HuggingFaceTgi);
        using var withKeyResponse = await client.SendAsync(withKey, Sim.Ct);

        Assert.Equal(HttpStatusCode.OK, openResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, closedResponse.StatusCode);
        Assert.Equal("authentication", json.RootElement.GetProperty("error_type").GetString());
        Assert.Equal(HttpStatusCode.OK, withKeyResponse.StatusCode);
    }
}
