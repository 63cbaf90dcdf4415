namespace Resilience.Metrics.Tests;

public sealed class ApiRequestExtensionsTests
{
    [Fact]
    public void SetApiModel_stores_the_model_under_the_documented_option_key()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions");

        request.SetApiModel("gpt-4o");

        Assert.True(request.TryGetApiModel(out string? model));
        Assert.Equal("gpt-4o", model);
        Assert.True(request.Options.TryGetValue(new HttpRequestOptionsKey<string>("Resilience.Metrics.Model"), out string? raw));
        Assert.Equal("gpt-4o", raw);
        Assert.Equal("Resilience.Metrics.Model", ApiRequestExtensions.ModelOptionKey.Key);
    }

    [Fact]
    public void TryGetApiModel_is_false_without_a_model()
    {
        using var request = new HttpRequestMessage();

        Assert.False(request.TryGetApiModel(out string? model));
        Assert.Null(model);
    }

    [Fact]
    public void SetApiModel_replaces_an_earlier_model()
    {
        using var request = new HttpRequestMessage();
        request.SetApiModel("a");

        request.SetApiModel("b");

        Assert.True(request.TryGetApiModel(out string? model));
        Assert.Equal("b", model);
    }

    [Fact]
    public void SetApiModel_rejects_null_and_empty_models()
    {
        using var request = new HttpRequestMessage();

        Assert.Throws<ArgumentNullException>(() => request.SetApiModel(null!));
        Assert.Throws<ArgumentException>(() => request.SetApiModel(string.Empty));
        Assert.Throws<ArgumentNullException>(() => ((HttpRequestMessage)null!).SetApiModel("m"));
    }
}
