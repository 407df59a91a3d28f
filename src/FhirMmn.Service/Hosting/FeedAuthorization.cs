using System.Security.Claims;
using System.Text.Json;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Feeds;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// The intake and the read endpoints need a bearer token (JWT) whose feed claim names the feed: 401 without
/// a valid token or with one meant to live longer than Security:MaxTokenLifetime, 403 for a token of another
/// feed (a feed claim that is not one JSON string, such as an array, names no feed). The local development
/// profile turns this off and listens on loopback only (<see cref="LoopbackGuard"/>).
/// </summary>
internal static class FeedAuthorization
{
    public const string Policy = "feed";

    /// <summary>
    /// The feed the request acts for: the token's (<see cref="FeedRegistry.ForToken"/>); without tokens (the development
    /// profile, loopback only) the feed named by FhirMmn:Feed. Null: none of this service's feeds.
    /// </summary>
    public static Feed? FeedOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.RequestServices;
        var security = services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var feeds = services.GetRequiredService<FeedRegistry>();
        return security.RequireToken
            ? feeds.ForToken(context.User, security.FeedClaim)
            : feeds.Find(services.GetRequiredService<IOptions<FhirMmnOptions>>().Value.Feed);
    }

    /// <summary>
    /// The feed whose messages the request may see: the token's (empty: none, so nothing is found); without tokens
    /// (the development profile, loopback only) null, any feed's, as the operations endpoints have it.
    /// </summary>
    public static string? MessageFeedOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.RequireToken
            ? FeedOf(context)?.Name ?? string.Empty
            : null;
    }

    public static IServiceCollection AddFeedAuthorization(this IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<SecurityOptions>, TimeProvider>((jwt, options, clock) =>
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
                    OnTokenValidated = context =>
                    {
                        if (context.SecurityToken is not JsonWebToken token || LivesTooLong(token, security.MaxTokenLifetime, clock.GetUtcNow().UtcDateTime))
                        {
                            context.Fail("The token is meant to live longer than Security:MaxTokenLifetime.");
                        }
                        else if (!IsOneString(token, security.FeedClaim))
                        {
                            var present = DropClaims(context.Principal, security.FeedClaim);
                            if (present)
                            {
                                // A feed claim that names no feed must not fall back to the client id.
                                context.Principal?.Identities.FirstOrDefault()?.AddClaim(new Claim(FeedRegistry.MalformedFeedClaim, "true"));
                            }
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
                        "The token is not for this feed, or lacks the role this needs."),
                };
            });
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>()
            .Configure<IOptions<SecurityOptions>, FeedRegistry>((authorization, security, feeds) =>
                authorization.AddPolicy(Policy, policy =>
                {
                    if (security.Value.RequireToken)
                    {
                        var claim = security.Value.FeedClaim;
                        policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                            .RequireAuthenticatedUser()
                            .RequireAssertion(context => feeds.ForToken(context.User, claim) is not null);
                    }
                    else
                    {
                        policy.RequireAssertion(_ => true);
                    }
                }));
        return services;
    }

    /// <summary>
    /// The token's whole life, from the earliest of iat, nbf and now to exp, against the limit. A token without
    /// exp never passes (JwtBearer refuses it before this too).
    /// </summary>
    public static bool LivesTooLong(JsonWebToken token, TimeSpan limit, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.ValidTo == DateTime.MinValue)
        {
            return true;
        }

        var start = now;
        foreach (var time in new[] { token.IssuedAt, token.ValidFrom })
        {
            if (time != DateTime.MinValue && time < start)
            {
                start = time;
            }
        }

        return token.ValidTo - start > limit;
    }

    /// <summary>
    /// Whether the payload holds <paramref name="claim"/> once, as a JSON string. Read from the payload itself:
    /// the claims the handler makes of an array ["default"] look exactly like those of the string "default".
    /// </summary>
    public static bool IsOneString(JsonWebToken token, string claim)
    {
        ArgumentNullException.ThrowIfNull(token);
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        var found = 0;
        foreach (var property in payload.RootElement.EnumerateObject())
        {
            if (property.NameEquals(claim) && (++found > 1 || property.Value.ValueKind != JsonValueKind.String))
            {
                return false;
            }
        }

        return found == 1;
    }

    /// <summary>Removes the claims named <paramref name="claim"/>; whether there were any.</summary>
    private static bool DropClaims(ClaimsPrincipal? principal, string claim)
    {
        var dropped = false;
        foreach (var identity in principal?.Identities ?? [])
        {
            foreach (var found in identity.FindAll(c => string.Equals(c.Type, claim, StringComparison.Ordinal)).ToList())
            {
                identity.RemoveClaim(found);
                dropped = true;
            }
        }

        return dropped;
    }
}
