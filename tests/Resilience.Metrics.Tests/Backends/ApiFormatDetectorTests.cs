namespace Resilience.Metrics.Tests;

public sealed class ApiFormatDetectorTests
{
    [Theory]
    [InlineData("https://api.openai.com/v1/chat/completions", ApiFormat.OpenAI)]
    [InlineData("https://api.openai.com/v1/responses", ApiFormat.OpenAI)]
    [InlineData("https://API.OpenAI.com./v1/audio/speech", ApiFormat.OpenAI)]
    [InlineData("https://api.anthropic.com/v1/messages", ApiFormat.Anthropic)]
    [InlineData("https://api.anthropic.com/v1/chat/completions", ApiFormat.OpenAI)]
    [InlineData("https://api.groq.com/openai/v1/chat/completions", ApiFormat.Groq)]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent?key=k", ApiFormat.Gemini)]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", ApiFormat.Gemini)]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/openai/chat/completions", ApiFormat.OpenAI)]
    [InlineData("http://localhost:11434/api/generate", ApiFormat.Ollama)]
    [InlineData("http://localhost:11434/api/tags", ApiFormat.Ollama)]
    [InlineData("http://ollama.internal:8080/api/chat", ApiFormat.Ollama)]
    [InlineData("http://ollama.internal/api/chat/", ApiFormat.Ollama)]
    [InlineData("http://ollama.internal/api/embed", ApiFormat.Ollama)]
    [InlineData("http://localhost:11434/v1/chat/completions", ApiFormat.OpenAI)]
    [InlineData("http://127.0.0.1:8000/v1/responses", ApiFormat.OpenAI)]
    [InlineData("http://vllm.internal/v1/responses/", ApiFormat.OpenAI)]
    [InlineData("https://my-resource.openai.azure.com/openai/v1/responses", ApiFormat.AzureOpenAI)]
    [InlineData("https://api.groq.com/openai/v1/responses", ApiFormat.Groq)]
    [InlineData("http://example.com/api/responses", ApiFormat.Generic)]
    [InlineData("http://tgi:8080/generate", ApiFormat.HuggingFaceTgi)]
    [InlineData("http://tgi:8080/generate_stream", ApiFormat.HuggingFaceTgi)]
    [InlineData("http://tgi:8080/v1/chat/completions", ApiFormat.OpenAI)]
    [InlineData("http://tei:8080/embed", ApiFormat.HuggingFaceTei)]
    [InlineData("http://tei:8080/rerank", ApiFormat.HuggingFaceTei)]
    [InlineData("http://ovms:9000/v1/models/resnet:predict", ApiFormat.Ovms)]
    [InlineData("http://ovms:9000/v1/models/resnet/versions/2:predict", ApiFormat.Ovms)]
    [InlineData("http://ovms:9000/v1/models/resnet/versions/2", ApiFormat.Ovms)]
    [InlineData("http://ovms:9000/v2/models/resnet/infer", ApiFormat.Ovms)]
    [InlineData("https://my-bucket.s3.amazonaws.com/key.txt", ApiFormat.S3)]
    [InlineData("https://my-bucket.s3.us-west-2.amazonaws.com/key.txt", ApiFormat.S3)]
    [InlineData("https://s3.amazonaws.com/my-bucket/key.txt", ApiFormat.S3)]
    [InlineData("https://s3.eu-central-1.amazonaws.com/my-bucket", ApiFormat.S3)]
    [InlineData("http://s3.minio.local:9000/bucket/object", ApiFormat.S3)]
    [InlineData("https://opea.example.com/v1/chatqna", ApiFormat.Generic)]
    [InlineData("https://example.com/", ApiFormat.Generic)]
    [InlineData("https://example.com", ApiFormat.Generic)]
    [InlineData("http://user:secret@example.com:8443/generate?x=/api/chat#frag", ApiFormat.HuggingFaceTgi)]
    [InlineData("http://[::1]:11434/api/ps", ApiFormat.Ollama)]
    public void Detects_the_format_from_host_port_and_path(string url, ApiFormat expected)
    {
        Assert.Equal(expected, ApiFormatDetector.Detect(new Uri(url)));
    }

    [Fact]
    public void Null_and_relative_uris_are_generic()
    {
        Assert.Equal(ApiFormat.Generic, ApiFormatDetector.Detect(null));
        Assert.Equal(ApiFormat.Generic, ApiFormatDetector.Detect(new Uri("/api/chat", UriKind.Relative)));
    }

    [Fact]
    public void A_uri_combined_from_a_base_address_is_detected_from_the_combined_path()
    {
        var uri = new Uri(new Uri("http://localhost:8080/api/"), "chat");

        Assert.Equal(ApiFormat.Ollama, ApiFormatDetector.Detect(uri));
    }

    [Fact]
    public void Escaped_urls_are_detected_through_the_normalised_uri()
    {
        var uri = new Uri("https://api.anthropic.com/v1/%6Dessages");

        Assert.Equal(ApiFormat.Anthropic, ApiFormatDetector.Detect(uri));
    }

    [Fact]
    public void Detection_does_not_allocate()
    {
        var uris = new[]
        {
            new Uri("https://api.openai.com/v1/chat/completions"),
            new Uri("http://localhost:11434/api/generate"),
            new Uri("https://my-bucket.s3.amazonaws.com/key.txt"),
            new Uri("https://example.com/v1/other/path"),
        };
        foreach (Uri uri in uris)
        {
            ApiFormatDetector.Detect(uri); // warm up
        }

        var fresh = new Uri("https://api.openai.com/v1/chat/completions?x=1");
        long before = GC.GetAllocatedBytesForCurrentThread();
        ApiFormat format = ApiFormat.Auto;
        for (int i = 0; i < 100; i++)
        {
            foreach (Uri uri in uris)
            {
                format = ApiFormatDetector.Detect(uri);
            }
        }

        ApiFormat freshFormat = ApiFormatDetector.Detect(fresh);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ApiFormat.Generic, format);
        Assert.Equal(ApiFormat.OpenAI, freshFormat);
        Assert.Equal(0, allocated);
    }
}
