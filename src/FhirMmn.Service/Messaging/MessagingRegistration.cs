using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging.RabbitMq;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Messaging;

/// <summary>The queue the service reads, by Messaging:Transport; the embedded store keeps the ledger of every transport.</summary>
internal static class MessagingRegistration
{
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddSettings<MessagingOptions>(MessagingOptions.Section);
        services.AddSettings<RabbitMqOptions>(RabbitMqOptions.Section);

        services.AddSingleton<SqliteTransport>();
        services.AddSingleton<MessageLedger>();
        services.AddSingleton<RabbitMqTransport>();
        services.AddSingleton<IMessageTransport>(provider => provider.GetRequiredService<IOptions<MessagingOptions>>().Value.Transport switch
        {
            MessagingOptions.RabbitMq => provider.GetRequiredService<RabbitMqTransport>(),
            _ => provider.GetRequiredService<SqliteTransport>(),
        });
        return services;
    }
}
