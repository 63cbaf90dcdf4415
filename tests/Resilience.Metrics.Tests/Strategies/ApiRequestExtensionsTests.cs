using Polly;

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

    [Fact]
    public void Setters_chain_and_every_value_reads_back()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages")
            .SetApiModel("claude-haiku")
            .SetApiPriority(RequestPriority.High);

        Assert.True(request.TryGetApiModel(out var model));
        Assert.Equal("claude-haiku", model);
        Assert.True(request.TryGetApiPriority(out var priority));
        Assert.Equal(RequestPriority.High, priority);
    }

    [Fact]
    public void A_context_carries_model_and_priority_like_a_request()
    {
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        try
        {
            Assert.False(context.TryGetApiModel(out _));
            Assert.False(context.TryGetApiPriority(out _));

            Assert.Same(context, context.SetApiModel(new string('m', 300)).SetApiPriority(RequestPriority.Low));

            Assert.True(context.TryGetApiModel(out var model));
            Assert.Equal(256, model.Length);
            Assert.True(context.TryGetApiPriority(out var priority));
            Assert.Equal(RequestPriority.Low, priority);
            Assert.Throws<ArgumentOutOfRangeException>(() => context.SetApiPriority((RequestPriority)7));
            Assert.Throws<ArgumentException>(() => context.SetApiModel(string.Empty));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    [Fact]
    public void An_undefined_priority_is_refused_and_the_request_keeps_none()
    {
        using var request = new HttpRequestMessage();

        Assert.Throws<ArgumentOutOfRangeException>(() => request.SetApiPriority((RequestPriority)(-1)));
        Assert.False(request.TryGetApiPriority(out _));
    }
}
