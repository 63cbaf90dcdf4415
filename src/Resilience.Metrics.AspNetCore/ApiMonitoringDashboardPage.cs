using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.AspNetCore;

/// <summary>
/// The live dashboard page (<c>{prefix}/dashboard</c>): one self-contained HTML file embedded in this assembly, with its
/// own SVG charts and no external script, style or font, so it works without internet access. It polls the JSON of
/// <c>{prefix}/report</c> (a relative URL, so any prefix works) and keeps its time series in the browser.
/// </summary>
internal static class ApiMonitoringDashboardPage
{
    /// <summary>The embedded page's resource name.</summary>
    public const string ResourceName = "Resilience.Metrics.AspNetCore.Dashboard.dashboard.html";

    private static readonly Lazy<byte[]> Page = new(Load);

    /// <summary>Serves the page (an endpoint handler for <c>MapGet</c>).</summary>
    public static IResult Serve(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The page fetches "report" relative to itself: from ".../dashboard/" that would be ".../dashboard/report".
        if (context.Request.Path.Value is { Length: > 1 } path && path.EndsWith('/'))
        {
            return Results.Redirect(context.Request.PathBase + path.TrimEnd('/') + context.Request.QueryString);
        }

        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";

        // Everything the page needs is inline or from this origin.
        context.Response.Headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";
        return Results.Bytes(Page.Value, "text/html; charset=utf-8");
    }

    private static byte[] Load()
    {
        using var stream = typeof(ApiMonitoringDashboardPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(ApiMonitoringDashboardPage).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
