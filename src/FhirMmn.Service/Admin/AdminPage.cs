using System.Collections.Frozen;

namespace FhirMmn.Service.Admin;

/// <summary>
/// The operations page at /admin (docs/operations.md): static HTML, CSS and JavaScript embedded in the assembly, no
/// build step; everything it shows comes from the messages API, which needs the operator role when tokens are
/// required. The files hold no data, so they are served to anyone; a strict Content-Security-Policy lets the page
/// run only its own script and talk only to this service, and forbids framing.
/// </summary>
internal static class AdminPage
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (byte[] Bytes, string ContentType)> Files = new Dictionary<string, (byte[], string)>
    {
        ["index.html"] = (Read("index.html"), "text/html; charset=utf-8"),
        ["admin.js"] = (Read("admin.js"), "text/javascript; charset=utf-8"),
        ["admin.css"] = (Read("admin.css"), "text/css; charset=utf-8"),
        ["favicon.svg"] = (Read("favicon.svg"), "image/svg+xml"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/admin", (HttpContext context) => Serve(context, "index.html")).WithName("AdminPage");
        app.MapGet("/admin/{file}", (string file, HttpContext context) => Serve(context, file)).WithName("AdminFile");
    }

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Files.TryGetValue(name, out var file))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return Results.Bytes(file.Bytes, file.ContentType);
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(AdminPage).Assembly.GetManifestResourceStream("admin/" + name)
            ?? throw new InvalidOperationException("The operations page is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
