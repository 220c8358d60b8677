using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Http;

/// <summary>
/// Follows a redirect only to the same origin (scheme, host and port), with the request's headers — the key
/// included, since it goes back to the server it was meant for. A redirect to any other origin is never sent: the
/// attempt fails with <see cref="CrossOriginRedirectException"/>, whose message names the Location. HttpClient's
/// own redirect handling must be off (<see cref="RefuseAutoRedirect"/>): it would forward custom headers anywhere.
/// </summary>
internal sealed partial class SameOriginRedirectHandler(ILogger<SameOriginRedirectHandler> logger) : DelegatingHandler
{
    public const int MaxRedirects = 5;

    /// <summary>Turns off automatic redirects on whatever primary handler the client has, without replacing it.</summary>
    public static void RefuseAutoRedirect(HttpMessageHandler primary, IServiceProvider services)
    {
        switch (primary)
        {
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler client:
                client.AllowAutoRedirect = false;
                break;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var current = request;
        for (var hop = 0; ; hop++)
        {
            var response = await base.SendAsync(current, cancellationToken);
            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location)
            {
                return response;
            }

            var from = current.RequestUri!;
            var target = location.IsAbsoluteUri ? location : new Uri(from, location);
            response.Dispose();
            if (!SameOrigin(from, target))
            {
                Log.CrossOriginRefused(logger, (int)response.StatusCode, Origin(from), target.ToString());
                throw new CrossOriginRedirectException((int)response.StatusCode, target);
            }

            if (hop + 1 >= MaxRedirects)
            {
                throw new CrossOriginRedirectException($"more than {MaxRedirects} redirects, the last to {target}");
            }

            current = Follow(current, response.StatusCode, target);
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    /// <summary>307 and 308 repeat the method and body; 301, 302 and 303 become a bodiless GET, as browsers do.</summary>
    private static HttpRequestMessage Follow(HttpRequestMessage previous, HttpStatusCode status, Uri target)
    {
        var keepMethod = status is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
        var next = new HttpRequestMessage(keepMethod ? previous.Method : HttpMethod.Get, target)
        {
            Version = previous.Version,
            VersionPolicy = previous.VersionPolicy,
            Content = keepMethod ? previous.Content : null,
        };
        foreach (var header in previous.Headers)
        {
            next.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in previous.Options)
        {
            ((IDictionary<string, object?>)next.Options)[option.Key] = option.Value;
        }

        return next;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Refused a redirect (HTTP {Status}) from {Origin} to another origin, {Location}: the request and its key were not sent there")]
        public static partial void CrossOriginRefused(ILogger logger, int status, string origin, string location);
    }
}

/// <summary>A redirect that was not followed; the message names where it pointed.</summary>
internal sealed class CrossOriginRedirectException : Exception
{
    public CrossOriginRedirectException(int status, Uri location)
        : base($"HTTP {status} redirect to another origin refused (Location {location})")
    {
        Location = location;
    }

    public CrossOriginRedirectException(string message)
        : base(message)
    {
    }

    public CrossOriginRedirectException()
    {
    }

    public CrossOriginRedirectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Uri? Location { get; }
}

internal static class SameOriginRedirectExtensions
{
    /// <summary>No automatic redirects on the client's primary handler; same-origin ones followed by <see cref="SameOriginRedirectHandler"/>.</summary>
    public static IHttpClientBuilder FollowSameOriginRedirectsOnly(this IHttpClientBuilder builder)
    {
        builder.Services.AddTransient<SameOriginRedirectHandler>();
        return builder.AddHttpMessageHandler<SameOriginRedirectHandler>().ConfigurePrimaryHttpMessageHandler(SameOriginRedirectHandler.RefuseAutoRedirect);
    }
}
