using System.Text;
using Amazon.S3;
using Amazon.S3.Model;

namespace Resilience.Metrics.SdkTests;

/// <summary>AWSSDK.S3 (4.1.0.1) over a monitored HttpClient through <c>AmazonS3Config.HttpClientFactory</c>, against S3's REST API.</summary>
public sealed class S3SdkTests
{
    private const string Bucket = "reports";

    private static PutObjectRequest Put(string key, string json) => new()
    {
        BucketName = Bucket,
        Key = key,
        ContentBody = json,
        ContentType = "application/json",
    };

    private static async Task<(string ContentType, string ETag, string Body)> GetAsync(AmazonS3Client client, string key)
    {
        using var response = await client.GetObjectAsync(Bucket, key, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(response.ResponseStream);
        return (response.Headers.ContentType, response.ETag, await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Put_and_get_are_counted_as_the_server_saw_them_with_no_model_and_no_tokens()
    {
        var (server, _) = await S3Wire.StartAsync();
        await using var _server = server;
        await using var monitored = Monitored.Create("s3", null, o => o.ApiFormat = ApiFormat.S3);
        using var client = S3Clients.Create(() => monitored.Client, server);

        const string Json = """{"model":"gpt-4o","usage":{"prompt_tokens":500,"completion_tokens":100}}""";
        await client.PutObjectAsync(Put("a.json", Json), TestContext.Current.CancellationToken);
        var (_, _, body) = await GetAsync(client, "a.json");

        Assert.Equal(Json, body);
        var report = monitored.Report;
        Assert.Equal(2, server.Attempts);
        Assert.Equal((2L, 2L, 0L), (report.TotalRequests, report.Successes, report.Failures));
        Assert.Empty(report.Models);
        Assert.Equal(new TokenCounts(0, 0), report.TokenCounts);
    }

    /// <summary>
    /// Our retry on (the default) and the SDK's own (its default): a PUT that gets S3's 500 reaches the application as the
    /// SDK's own exception, and every error counted is one the server produced.
    /// </summary>
    [Fact]
    public async Task A_500_on_put_reaches_the_sdk_as_its_own_AmazonS3Exception_and_no_error_is_counted_that_the_server_did_not_produce()
    {
        var (server, _) = await S3Wire.StartAsync(failPuts: true);
        await using var _server = server;
        await using var monitored = Monitored.Create("s3", null, o => o.ApiFormat = ApiFormat.S3);
        using var client = S3Clients.Create(() => monitored.Client, server, sdkRetries: null);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.PutObjectAsync(Put("a.json", """{"a":1}"""), TestContext.Current.CancellationToken));

        var report = monitored.Report;
        var seen = $"the SDK threw {error.GetType().FullName}: {error.Message} (inner: {error.InnerException?.GetType().FullName}: {error.InnerException?.Message}); "
            + $"server attempts {server.Attempts}; requests {report.TotalRequests}, retry attempts {report.RetryAttempts}; errors counted: "
            + string.Join(", ", report.Errors.ErrorTypes.Select(e => $"{e.Key}={e.Value}"))
            + "; unexpected " + report.Errors.ErrorCategories["unexpected"];
        Assert.True(error is AmazonS3Exception { StatusCode: System.Net.HttpStatusCode.InternalServerError, ErrorCode: "InternalError" }, seen);
        Assert.True(server.Attempts == report.TotalRequests + report.RetryAttempts, seen);
        Assert.True(report.Errors.ErrorTypes.Values.Sum() == server.Attempts, seen);
        Assert.True(report.Errors.ErrorCategories["unexpected"] == 0, seen);
    }

    /// <summary>With our retry off, nothing re-sends the SDK's request stream: the SDK's own exception arrives, the SDK's own retries counted as requests.</summary>
    [Fact]
    public async Task With_our_retry_off_a_500_on_put_reaches_the_sdk_as_its_own_AmazonS3Exception()
    {
        var (server, _) = await S3Wire.StartAsync(failPuts: true);
        await using var _server = server;
        await using var monitored = Monitored.Create("s3", null, o =>
        {
            o.ApiFormat = ApiFormat.S3;
            o.Retry.Enabled = false;
        });
        using var client = S3Clients.Create(() => monitored.Client, server, sdkRetries: 2);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => client.PutObjectAsync(Put("a.json", """{"a":1}"""), TestContext.Current.CancellationToken));

        Assert.Equal((System.Net.HttpStatusCode.InternalServerError, "InternalError"), (error.StatusCode, error.ErrorCode));
        var report = monitored.Report;
        Assert.Equal(3, server.Attempts); // the SDK's first attempt and its 2 retries
        // The SDK marks its retries (amz-sdk-request: attempt=2; max=3): one logical request, failed, retried twice.
        Assert.Equal((1L, 1L, 2L, 0L), (report.TotalRequests, report.Failures, report.RetryAttempts, report.Errors.ErrorCategories["unexpected"]));
        Assert.Equal(3, report.Errors.ErrorTypes.Values.Sum()); // every attempt's 500
    }

    /// <summary>An S3-compatible store told to be S3: its JSON objects are not read.</summary>
    [Fact]
    public async Task An_s3_compatible_get_of_a_json_file_with_ApiFormat_S3_records_no_model_and_no_tokens()
    {
        var (server, objects) = await S3Wire.StartAsync();
        await using var _server = server;
        await using var monitored = Monitored.Create("minio", null, o => o.ApiFormat = ApiFormat.S3);
        using var client = S3Clients.Create(() => monitored.Client, server);
        const string Json = """{"model":"gpt-4o","usage":{"prompt_tokens":500,"completion_tokens":100}}""";
        objects[$"{Bucket}/usage.json"] = ("application/json", Encoding.UTF8.GetBytes(Json));

        var (_, _, body) = await GetAsync(client, "usage.json");

        Assert.Equal(Json, body);
        var report = monitored.Report;
        Assert.Equal(1, report.TotalRequests);
        Assert.Equal(
            "models [], tokens 0/0",
            $"models [{string.Join(", ", report.Models.Keys)}], tokens {report.TokenCounts.Prompt}/{report.TokenCounts.Completion}");
    }

    /// <summary>Issue 11: an S3-compatible store on 127.0.0.1 with <c>ApiFormat.Auto</c> serving a JSON file that looks like LLM usage.</summary>
    [Fact]
    public async Task An_s3_compatible_get_of_a_json_file_with_auto_records_no_model_and_no_tokens()
    {
        var (server, objects) = await S3Wire.StartAsync();
        await using var _server = server;
        await using var monitored = Monitored.Create("minio", null, o => o.ApiFormat = ApiFormat.Auto);
        using var client = S3Clients.Create(() => monitored.Client, server);
        const string Json = """{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o","usage":{"prompt_tokens":500,"completion_tokens":100,"total_tokens":600}}""";
        objects[$"{Bucket}/exports/usage.json"] = ("application/json", Encoding.UTF8.GetBytes(Json));

        var (contentType, _, body) = await GetAsync(client, "exports/usage.json");

        Assert.Equal((Json, "application/json"), (body, contentType));
        var report = monitored.Report;
        Assert.Equal((1L, 1L), (report.TotalRequests, report.Successes));
        Assert.Equal(
            "models [], tokens 0/0",
            $"models [{string.Join(", ", report.Models.Keys)}], tokens {report.TokenCounts.Prompt}/{report.TokenCounts.Completion}");
    }

    /// <summary>What the application gets (objects, ETags, the error) is the same with and without monitoring.</summary>
    [Fact]
    public async Task The_sdk_sees_the_same_results_with_and_without_monitoring()
    {
        var with = await RunAsync(monitor: true);
        var without = await RunAsync(monitor: false);

        Same.Results(without, with);

        static async Task<string> RunAsync(bool monitor)
        {
            var (server, _) = await S3Wire.StartAsync();
            var (failing, _) = await S3Wire.StartAsync(failPuts: true);
            await using var _server = server;
            await using var _failing = failing;
            await using var monitored = Monitored.Create("s3", null, o => o.ApiFormat = ApiFormat.S3);
            Func<HttpClient> http = monitor ? () => monitored.Client : () => new HttpClient(); // the SDK disposes each after use
            using var client = S3Clients.Create(http, server);
            using var failingClient = S3Clients.Create(http, failing);

            var put = await client.PutObjectAsync(Put("a.json", """{"model":"gpt-4o"}"""), TestContext.Current.CancellationToken);
            var get = await GetAsync(client, "a.json");
            var error = await Assert.ThrowsAnyAsync<Exception>(() => failingClient.PutObjectAsync(Put("b.json", "{}"), TestContext.Current.CancellationToken));
            return string.Join(
                "\n",
                $"{put.HttpStatusCode} {put.ETag}",
                get.ToString(),
                error is AmazonS3Exception s3 ? $"{s3.GetType().FullName} {s3.StatusCode} {s3.ErrorCode} {s3.Message}" : error.ToString());
        }
    }
}
