using System.Security.Claims;
using FhirMmn.Service.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Features.Messages;

/// <summary>
/// The operations surfaces need more than a feed's token. With tokens: the messages API and /admin need the feed's
/// token carrying the operator role (Security:OperatorRole in the claim Security:RoleClaim); /metrics needs a token
/// carrying the metrics role, of any feed (a scraper watches every feed). Without tokens (development, loopback
/// only) they are open like the rest.
/// </summary>
internal static class OperatorAuthorization
{
    public const string Policy = "operator";

    public static IServiceCollection AddOperatorAuthorization(this IServiceCollection services)
    {
        services.AddOptions<AuthorizationOptions>()
            .Configure<IOptions<SecurityOptions>, Feeds.FeedRegistry>((authorization, security, feeds) =>
            {
                var s = security.Value;
                authorization.AddPolicy(Policy, policy =>
                {
                    if (s.RequireToken)
                    {
                        policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                            .RequireAuthenticatedUser()
                            .RequireAssertion(context => HasRole(context.User, s.RoleClaim, s.OperatorRole) && feeds.ForToken(context.User, s.FeedClaim) is not null);
                    }
                    else
                    {
                        policy.RequireAssertion(_ => true);
                    }
                });
                authorization.AddPolicy(Telemetry.MetricsPolicy, policy =>
                {
                    if (s.RequireToken)
                    {
                        policy.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                            .RequireAuthenticatedUser()
                            .RequireAssertion(context => HasRole(context.User, s.RoleClaim, s.MetricsRole));
                    }
                    else
                    {
                        policy.RequireAssertion(_ => true);
                    }
                });
            });
        return services;
    }

    /// <summary>The role claim may be a JSON string or an array of them (Entra ID's "roles"): one claim per value.</summary>
    private static bool HasRole(ClaimsPrincipal user, string claim, string role) =>
        user.Claims.Any(c => string.Equals(c.Type, claim, StringComparison.Ordinal) && string.Equals(c.Value, role, StringComparison.Ordinal));
}
