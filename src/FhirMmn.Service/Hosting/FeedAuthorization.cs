using System.Text;
using FhirMmn.Fhir.Outcomes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// The intake and the read endpoints need a bearer token (JWT) whose feed claim names the feed: 401 without
/// a valid token, 403 for a token of another feed. The local development profile turns this off and
/// listens on loopback only.
/// </summary>
internal static class FeedAuthorization
{
    public const string Policy = "feed";

    public static string FeedOf(HttpContext context, FhirMmnOptions options)
    {
        var security = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
        return security.RequireToken
            ? context.User.FindFirst(security.FeedClaim)?.Value ?? string.Empty
            : options.Feed;
    }

    public static IServiceCollection AddFeedAuthorization(this IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<SecurityOptions>>((jwt, options) =>
            {
                var security = options.Value;
                jwt.MapInboundClaims = false;
                jwt.Audience = security.Audience;
                if (security.Authority is { } authority)
                {
                    jwt.Authority = authority.ToString();
                }

                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidAudience = security.Audience,
                    ValidateIssuer = security.Issuer is not null,
                    ValidIssuer = security.Issuer,
                    ValidateLifetime = true,
                    ClockSkew = TimeSpan.FromMinutes(1),
                    IssuerSigningKey = security.SigningKey is { Length: > 0 } key ? new SymmetricSecurityKey(Convert.FromBase64String(key)) : null,
                };
                jwt.Events = new JwtBearerEvents
                {
                    // Without tokens (the development profile) a bearer header is not even read: nothing depends on it.
                    OnMessageReceived = context =>
                    {
                        if (!security.RequireToken)
                        {
                            context.NoResult();
                        }

                        return Task.CompletedTask;
                    },
                    OnChallenge = context =>
                    {
                        context.HandleResponse();
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        return Outcomes.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, IssueCodes.Login,
                            "A valid bearer token for this feed is required.");
                    },
                    OnForbidden = context => Outcomes.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, IssueCodes.Forbidden,
                        "The token is not for this feed."),
                };
            });
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>()
            .Configure<IOptions<SecurityOptions>, IOptions<FhirMmnOptions>>((authorization, security, fhirmmn) =>
                authorization.AddPolicy(Policy, policy =>
                {
                    if (security.Value.RequireToken)
                    {
                        policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                            .RequireAuthenticatedUser()
                            .RequireClaim(security.Value.FeedClaim, fhirmmn.Value.Feed);
                    }
                    else
                    {
                        policy.RequireAssertion(_ => true);
                    }
                }));
        return services;
    }

    /// <summary>Without tokens the service must not be reachable from other machines.</summary>
    public static void RequireLoopbackWithoutTokens(IConfiguration configuration)
    {
        // A value that is not true or false is reported by the options' own check, as a line naming the key.
        if (configuration[SecurityOptions.Section + ":" + nameof(SecurityOptions.RequireToken)] is not { } text || !bool.TryParse(text, out var required) || required)
        {
            return;
        }

        var urls = configuration[WebHostDefaults.ServerUrlsKey] ?? string.Empty;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = url.Split("://", 2)[^1].Split('/')[0];
            host = host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)] : host.Split(':')[0];
            if (host is not ("127.0.0.1" or "localhost" or "[::1]"))
            {
                throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions), [
                    new StringBuilder("Security:RequireToken is false (the local development profile) but the service would listen on ")
                        .Append(host).Append(": turn Security:RequireToken on, or listen on 127.0.0.1 only.").ToString(),
                ]);
            }
        }
    }
}
