using System.Globalization;
using System.Security;
using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>Writes each API's real error body for a status code.</summary>
internal static class ErrorResponses
{
    /// <summary>The status a missing credential earns: Google and S3 answer 403, the others 401.</summary>
    public static int AuthenticationStatus(ErrorDialect dialect) =>
        dialect is ErrorDialect.Gemini or ErrorDialect.S3 ? 403 : 401;

    public static string MissingCredentialMessage(ErrorDialect dialect) => dialect switch
    {
        ErrorDialect.OpenAI => "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        ErrorDialect.Anthropic => "x-api-key header is required",
        ErrorDialect.Gemini => "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        ErrorDialect.S3 => "Access Denied",
        _ => "Unauthorized",
    };

    /// <summary>Writes an error response; <paramref name="message"/> overrides the status's usual message.</summary>
    /// <remarks><paramref name="s3Code"/> overrides S3's <c>&lt;Code&gt;</c> (for example <c>NoSuchBucket</c>).</remarks>
    public static Task WriteAsync(
        Exchange exchange, ErrorDialect dialect, int status, TimeSpan? retryAfter = null, string? message = null, string? s3Code = null)
    {
        var response = exchange.Http.Response;
        if (retryAfter is { } ra)
        {
            response.Headers.RetryAfter = ((long)Math.Ceiling(ra.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var requestId = exchange.NewId("req_");
        var model = exchange.Model.Length > 0 ? exchange.Model : "the model";
        switch (dialect)
        {
            case ErrorDialect.S3:
                response.Headers["x-amz-request-id"] = requestId;
                var path = exchange.Http.Request.Path.Value ?? "/";
                var resource = path.StartsWith("/s3/", StringComparison.Ordinal) ? path[3..] : path;
                return Send(exchange, status, "application/xml", Text.Utf8(S3Xml(status, s3Code, message, resource, requestId)));
            case ErrorDialect.Anthropic:
                response.Headers["request-id"] = requestId;
                break;
            default:
                response.Headers["x-request-id"] = requestId;
                break;
        }

        var body = dialect switch
        {
            ErrorDialect.OpenAI => OpenAI(status, message, model),
            ErrorDialect.Anthropic => Anthropic(status, message, requestId),
            ErrorDialect.Gemini => Gemini(status, message, model),
            ErrorDialect.Tgi => Typed(message ?? HuggingFaceMessage(status), TgiType(status)),
            ErrorDialect.Tei => Typed(message ?? HuggingFaceMessage(status), TeiType(status)),
            ErrorDialect.Ollama => Plain(message ?? OllamaMessage(status, model)),
            _ => Plain(message ?? TfServingMessage(status)),
        };
        return Send(exchange, status, "application/json", body);
    }

    private static async Task Send(Exchange exchange, int status, string contentType, byte[] body)
    {
        var response = exchange.Http.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, exchange.Aborted).ConfigureAwait(false);
    }

    private static byte[] OpenAI(int status, string? message, string model)
    {
        var (type, code, text) = status switch
        {
            400 => ("invalid_request_error", null, "Invalid request."),
            401 => ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
            403 => ("permission_error", "permission_denied", "You are not allowed to access this resource."),
            404 => ("invalid_request_error", "model_not_found", $"The model `{model}` does not exist or you do not have access to it."),
            408 => ("timeout_error", "timeout", "Request timed out."),
            413 => ("invalid_request_error", "request_too_large", "Request too large."),
            422 => ("invalid_request_error", null, "Unprocessable request."),
            429 => ("requests", "rate_limit_exceeded", $"Rate limit reached for {model} in organization org-simulated on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again later."),
            500 => ("server_error", null, "The server had an error while processing your request. Sorry about that!"),
            502 => ("server_error", "bad_gateway", "Bad gateway."),
            503 => ("server_error", "service_unavailable", "The engine is currently overloaded, please try again later."),
            504 => ("server_error", "timeout", "Gateway timeout."),
            < 500 => ("invalid_request_error", (string?)null, "The request could not be processed."),
            _ => ("server_error", null, "The server had an error while processing your request."),
        };
        return Text.Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message ?? text);
            w.WriteString("type", type);
            w.WriteNull("param");
            WriteStringOrNull(w, "code", code);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static byte[] Anthropic(int status, string? message, string requestId)
    {
        var (type, text) = status switch
        {
            400 => ("invalid_request_error", "Invalid request."),
            401 => ("authentication_error", "invalid x-api-key"),
            403 => ("permission_error", "Your API key does not have permission to use the specified resource."),
            404 => ("not_found_error", "The requested resource could not be found."),
            413 => ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
            429 => ("rate_limit_error", "Number of requests has exceeded your per-minute rate limit. Please try again later."),
            500 => ("api_error", "Internal server error"),
            529 => ("overloaded_error", "Overloaded"),
            < 500 => ("invalid_request_error", "The request could not be processed."),
            _ => ("api_error", "The service is temporarily unavailable."),
        };
        return Text.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "error");
            w.WriteStartObject("error");
            w.WriteString("type", type);
            w.WriteString("message", message ?? text);
            w.WriteEndObject();
            w.WriteString("request_id", requestId);
            w.WriteEndObject();
        });
    }

    private static byte[] Gemini(int status, string? message, string model)
    {
        var (state, text) = status switch
        {
            400 => ("INVALID_ARGUMENT", "Request contains an invalid argument."),
            401 => ("UNAUTHENTICATED", "Request had invalid authentication credentials."),
            403 => ("PERMISSION_DENIED", "The caller does not have permission."),
            404 => ("NOT_FOUND", $"models/{model} is not found for API version v1beta, or is not supported for generateContent."),
            409 => ("ABORTED", "The operation was aborted."),
            429 => ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
            499 => ("CANCELLED", "The operation was cancelled."),
            500 => ("INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"),
            501 => ("UNIMPLEMENTED", "Method not implemented."),
            503 => ("UNAVAILABLE", "The model is overloaded. Please try again later."),
            504 => ("DEADLINE_EXCEEDED", "The request timed out. Please try again."),
            < 500 => ("FAILED_PRECONDITION", "The request could not be processed."),
            _ => ("UNKNOWN", "An unknown error occurred."),
        };
        return Text.Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteNumber("code", status);
            w.WriteString("message", message ?? text);
            w.WriteString("status", state);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static string HuggingFaceMessage(int status) => status switch
    {
        401 or 403 => "Unauthorized",
        413 => "Input validation error: inputs must have less than 4096 tokens",
        422 or 400 => "Input validation error",
        424 => "Request failed during generation",
        429 => "Model is overloaded",
        503 => "Model is currently loading",
        _ => "Request failed during generation: Server error",
    };

    private static string TgiType(int status) => status switch
    {
        401 or 403 => "authentication",
        400 or 413 or 422 => "validation",
        429 => "overloaded",
        500 => "incomplete_generation",
        503 => "unhealthy",
        _ => "generation",
    };

    private static string TeiType(int status) => status switch
    {
        401 or 403 => "Unauthorized",
        400 or 413 or 422 => "Validation",
        429 => "Overloaded",
        503 => "Unhealthy",
        _ => "Backend",
    };

    private static string OllamaMessage(int status, string model) => status switch
    {
        400 => "invalid request",
        401 or 403 => "unauthorized",
        404 => $"model \"{model}\" not found, try pulling it first",
        429 or 503 => "server busy, please try again.  maximum pending requests exceeded",
        _ => "llama runner process has terminated: exit status 2",
    };

    private static string TfServingMessage(int status) => status switch
    {
        400 => "Invalid input",
        401 or 403 => "Unauthorized",
        404 => "Model with requested name is not found",
        429 or 503 => "Server is busy, please try again later",
        _ => "Internal server error",
    };

    private static byte[] Typed(string message, string type) => Text.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteString("error_type", type);
        w.WriteEndObject();
    });

    private static byte[] Plain(string message) => Text.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });

    private static string S3Xml(int status, string? codeOverride, string? message, string resource, string requestId)
    {
        var (code, text) = status switch
        {
            400 => ("InvalidRequest", "Invalid Request"),
            403 => ("AccessDenied", "Access Denied"),
            404 => ("NoSuchKey", "The specified key does not exist."),
            405 => ("MethodNotAllowed", "The specified method is not allowed against this resource."),
            408 => ("RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period."),
            409 => ("OperationAborted", "A conflicting conditional operation is currently in progress against this resource."),
            412 => ("PreconditionFailed", "At least one of the preconditions you specified did not hold."),
            429 or 503 => ("SlowDown", "Please reduce your request rate."),
            500 => ("InternalError", "We encountered an internal error. Please try again."),
            501 => ("NotImplemented", "A header you provided implies functionality that is not implemented."),
            < 500 => ("InvalidRequest", "The request could not be processed."),
            _ => ("ServiceUnavailable", "Service is unable to handle request."),
        };
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + $"<Error><Code>{codeOverride ?? code}</Code><Message>{SecurityElement.Escape(message ?? text)}</Message>"
            + $"<Resource>{SecurityElement.Escape(resource)}</Resource><RequestId>{requestId}</RequestId></Error>";
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
