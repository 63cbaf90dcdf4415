using System.Net;
using Polly.Timeout;

namespace Resilience.Metrics.Tests;

public sealed class ErrorClassifierStatusCodeTests
{
    [Theory]
    [InlineData(429, ErrorCategory.RateLimiting)]
    [InlineData(401, ErrorCategory.Authentication)]
    [InlineData(403, ErrorCategory.Authentication)]
    [InlineData(400, ErrorCategory.InvalidRequest)]
    [InlineData(404, ErrorCategory.InvalidRequest)]
    [InlineData(409, ErrorCategory.InvalidRequest)]
    [InlineData(413, ErrorCategory.InvalidRequest)]
    [InlineData(422, ErrorCategory.InvalidRequest)]
    [InlineData(500, ErrorCategory.ServiceUnavailable)]
    [InlineData(502, ErrorCategory.ServiceUnavailable)]
    [InlineData(503, ErrorCategory.ServiceUnavailable)]
    [InlineData(529, ErrorCategory.ServiceUnavailable)]
    [InlineData(408, ErrorCategory.Timeout)]
    [InlineData(504, ErrorCategory.Timeout)]
    public void Status_code_of_the_design_table_maps_to_its_category(int statusCode, ErrorCategory expected)
    {
        Assert.Equal(expected, ErrorClassifier.Classify(statusCode, null));
        Assert.Equal(expected, ErrorClassifier.ClassifyStatusCode(statusCode));
    }

    [Theory]
    [InlineData(501)]
    [InlineData(505)]
    [InlineData(507)]
    [InlineData(520)]
    [InlineData(599)]
    public void Other_5xx_status_codes_are_service_unavailable(int statusCode) =>
        Assert.Equal(ErrorCategory.ServiceUnavailable, ErrorClassifier.Classify(statusCode, null));

    [Theory]
    [InlineData(402)]
    [InlineData(405)]
    [InlineData(410)]
    [InlineData(415)]
    [InlineData(431)]
    public void Other_4xx_status_codes_are_invalid_requests(int statusCode) =>
        Assert.Equal(ErrorCategory.InvalidRequest, ErrorClassifier.Classify(statusCode, null));

    [Theory]
    [InlineData(200)]
    [InlineData(204)]
    [InlineData(302)]
    [InlineData(0)]
    [InlineData(700)]
    public void Status_code_that_is_no_error_code_and_no_exception_is_unexpected(int statusCode)
    {
        Assert.Equal(ErrorCategory.None, ErrorClassifier.ClassifyStatusCode(statusCode));
        Assert.Equal(ErrorCategory.Unexpected, ErrorClassifier.Classify(statusCode, null));
    }

    [Fact]
    public void Status_code_that_says_nothing_leaves_the_decision_to_the_exception() =>
        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(200, new TimeoutRejectedException()));

    [Fact]
    public void Nothing_at_all_is_unexpected() =>
        Assert.Equal(ErrorCategory.Unexpected, ErrorClassifier.Classify(null, null));

    [Fact]
    public void Status_code_beats_a_message_rule() =>
        Assert.Equal(
            ErrorCategory.ServiceUnavailable,
            ErrorClassifier.Classify(503, new InvalidOperationException("Invalid API key, rate limit exceeded")));

    [Fact]
    public void Status_code_beats_an_exception_type_rule() =>
        Assert.Equal(ErrorCategory.RateLimiting, ErrorClassifier.Classify(429, new TimeoutRejectedException()));

    [Fact]
    public void Status_code_carried_by_an_HttpRequestException_is_used_when_none_is_given()
    {
        var exception = new HttpRequestException("Response status code does not indicate success.", null, HttpStatusCode.Unauthorized);

        Assert.Equal(ErrorCategory.Authentication, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public void Status_code_carried_by_a_nested_HttpRequestException_is_used()
    {
        var exception = new InvalidOperationException(
            "wrapper",
            new HttpRequestException("Response status code does not indicate success.", null, HttpStatusCode.TooManyRequests));

        Assert.Equal(ErrorCategory.RateLimiting, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public void Given_status_code_beats_the_one_carried_by_the_exception()
    {
        var exception = new HttpRequestException("failed", null, HttpStatusCode.TooManyRequests);

        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(504, exception));
    }
}
