using System.Text;

namespace Resilience.Metrics.Tests;

public sealed class ModelExtractorTests
{
    [Theory]
    [InlineData(ApiFormat.Gemini, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent?key=abc", "gemini-2.0-flash")]
    [InlineData(ApiFormat.Gemini, "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro-002:streamGenerateContent?alt=sse", "gemini-1.5-pro-002")]
    [InlineData(ApiFormat.Gemini, "https://generativelanguage.googleapis.com/v1/models/gemini-pro:countTokens", "gemini-pro")]
    [InlineData(ApiFormat.Gemini, "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-1.5-flash:generateContent", "gemini-1.5-flash")]
    [InlineData(ApiFormat.Gemini, "https://generativelanguage.googleapis.com/v1beta/models", null)]
    [InlineData(ApiFormat.Gemini, "https://generativelanguage.googleapis.com/v1beta/models/:generateContent", null)]
    [InlineData(ApiFormat.Gemini, "https://generativelanguage.googleapis.com/v1beta/files/abc:download", null)]
    [InlineData(ApiFormat.Auto, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent", "gemini-2.0-flash")]
    [InlineData(ApiFormat.Ovms, "http://ovms:9000/v1/models/resnet50:predict", "resnet50")]
    [InlineData(ApiFormat.Ovms, "http://ovms:9000/v1/models/resnet50/versions/3:predict", "resnet50")]
    [InlineData(ApiFormat.Ovms, "http://ovms:9000/v1/models/resnet50/versions/3", "resnet50")]
    [InlineData(ApiFormat.Ovms, "http://ovms:9000/v1/models/face-detection/metadata", "face-detection")]
    [InlineData(ApiFormat.Ovms, "http://ovms:9000/v2/models/bert-small/infer", "bert-small")]
    [InlineData(ApiFormat.Auto, "http://ovms:9000/v1/models/resnet50/versions/3:predict", "resnet50")]
    [InlineData(ApiFormat.Ovms, "http://ovms:9000/v3/chat/completions", null)]
    [InlineData(ApiFormat.HuggingFaceTgi, "https://api-inference.huggingface.co/models/meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct")]
    [InlineData(ApiFormat.HuggingFaceTgi, "https://api-inference.huggingface.co/models/gpt2", "gpt2")]
    [InlineData(ApiFormat.HuggingFaceTgi, "https://api-inference.huggingface.co/models/gpt2/", "gpt2")]
    [InlineData(ApiFormat.HuggingFaceTgi, "https://router.huggingface.co/hf-inference/models/mistralai/Mistral-7B-Instruct-v0.3/v1/chat/completions", "mistralai/Mistral-7B-Instruct-v0.3")]
    [InlineData(ApiFormat.HuggingFaceTei, "https://router.huggingface.co/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction", "sentence-transformers/all-MiniLM-L6-v2")]
    [InlineData(ApiFormat.HuggingFaceTei, "https://router.huggingface.co/hf-inference/models/bert-base-uncased/pipeline/fill-mask", "bert-base-uncased")]
    [InlineData(ApiFormat.HuggingFaceTei, "https://api-inference.huggingface.co/models/org%2Fname", "org/name")]
    [InlineData(ApiFormat.HuggingFaceTgi, "http://tgi:8080/generate", null)]
    [InlineData(ApiFormat.Generic, "https://proxy.example.com/v1beta/models/gemini-2.0-flash:generateContent", "gemini-2.0-flash")]
    [InlineData(ApiFormat.Generic, "https://example.com/v1/chat/completions", null)]
    [InlineData(ApiFormat.OpenAI, "https://api.openai.com/v1/models/gpt-4o", null)]
    [InlineData(ApiFormat.S3, "https://bucket.s3.amazonaws.com/models/x:y", null)]
    public void Reads_the_model_from_the_url(ApiFormat format, string url, string? expected)
    {
        Assert.Equal(expected, ModelExtractor.FromUrl(format, new Uri(url)));
    }

    [Fact]
    public void Null_or_relative_urls_have_no_model()
    {
        Assert.Null(ModelExtractor.FromUrl(ApiFormat.Gemini, null));
        Assert.Null(ModelExtractor.FromUrl(ApiFormat.Gemini, new Uri("models/gemini-pro:generateContent", UriKind.Relative)));
    }

    [Fact]
    public void An_overlong_model_in_the_url_is_ignored()
    {
        string name = new('m', 10_000);

        Assert.Null(ModelExtractor.FromUrl(ApiFormat.Gemini, new Uri($"https://generativelanguage.googleapis.com/v1beta/models/{name}:generateContent")));
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", "gpt-4o")]
    [InlineData("""{"messages":[{"role":"user","content":"hi","model":"nested"}],"temperature":0.2,"model":"claude-3-5-haiku-latest"}""", "claude-3-5-haiku-latest")]
    [InlineData("""{"metadata":{"model":"nested"},"stream":true}""", null)]
    [InlineData("  \r\n\t{ \"model\" : \"llama3.2\" }  ", "llama3.2")]
    [InlineData("""{"mod\u0065l":"escaped-name"}""", "escaped-name")]
    [InlineData("""{"model":"gr\u00f6\u00df-\u6a21\u578b"}""", "grö\u00df-模型")]
    [InlineData("""{"model":"unicode-模型-🚀"}""", "unicode-模型-🚀")]
    [InlineData("""{"model":42}""", null)]
    [InlineData("""{"model":null}""", null)]
    [InlineData("""{"model":{"name":"x"}}""", null)]
    [InlineData("""{"model":""}""", null)]
    [InlineData("""["model","gpt-4o"]""", null)]
    [InlineData("\"model\"", null)]
    [InlineData("", null)]
    [InlineData("{", null)]
    [InlineData("""{"messages":[1,2""", null)]
    [InlineData("""{"model":"gpt-4o", this is not json""", "gpt-4o")]
    [InlineData("""{"model":"gpt""", null)]
    [InlineData("""{'model':'gpt-4o'}""", null)]
    [InlineData("""{"a":1,,"model":"x"}""", null)]
    public void Reads_the_top_level_model_of_a_json_body(string body, string? expected)
    {
        Assert.Equal(expected, ModelExtractor.FromJsonBody(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_skipped()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. """{"model":"m"}"""u8];

        Assert.Equal("m", ModelExtractor.FromJsonBody(body));
    }

    [Fact]
    public void Invalid_utf8_in_the_model_gives_no_model()
    {
        byte[] body = [.. """{"model":"ab"""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8];

        Assert.Null(ModelExtractor.FromJsonBody(body));
    }

    [Fact]
    public void Invalid_utf8_outside_strings_gives_no_model()
    {
        byte[] body = [.. """{"x":"""u8, 0xFE, 0xFF, .. ""","model":"m"}"""u8];

        Assert.Null(ModelExtractor.FromJsonBody(body));
    }

    [Fact]
    public void A_model_name_of_ten_thousand_characters_is_ignored()
    {
        string body = "{\"model\":\"" + new string('x', 10_000) + "\"}";

        Assert.Null(ModelExtractor.FromJsonBody(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void A_model_name_at_the_length_limit_is_kept()
    {
        string name = new('x', ModelExtractor.MaxModelLength);

        Assert.Equal(name, ModelExtractor.FromJsonBody(Encoding.UTF8.GetBytes("{\"model\":\"" + name + "\"}")));
    }

    [Fact]
    public void Nesting_five_thousand_deep_gives_no_model_and_does_not_throw()
    {
        string deep = new string('[', 5_000) + new string(']', 5_000);
        string body = "{\"messages\":" + deep + ",\"model\":\"m\"}";

        Assert.Null(ModelExtractor.FromJsonBody(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Nesting_within_the_depth_limit_is_skipped()
    {
        string nested = new string('[', 60) + new string(']', 60);
        string body = "{\"messages\":" + nested + ",\"model\":\"m\"}";

        Assert.Equal("m", ModelExtractor.FromJsonBody(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(12345);
        byte[] buffer = new byte[256];
        for (int i = 0; i < 2_000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = (byte)'{';
            _ = ModelExtractor.FromJsonBody(buffer.AsSpan(0, random.Next(buffer.Length)));
        }

        Assert.Equal("m", ModelExtractor.FromJsonBody("""{"model":"m"}"""u8));
    }
}
