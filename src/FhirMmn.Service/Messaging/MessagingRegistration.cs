using Azure.Identity;
using Azure.Messaging.ServiceBus;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging.AzureServiceBus;
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
        services.AddSettings<AzureServiceBusOptions>(AzureServiceBusOptions.Section);
        services.AddSingleton<IValidateOptions<AzureServiceBusOptions>, AzureServiceBusOptionsValidation>();

        services.AddSingleton<SqliteTransport>();
        services.AddSingleton<BrokerLedger>();
        services.AddSingleton<RabbitMqTransport>();

        // Signed in with the connection string when one is set (environment only), else with DefaultAzureCredential
        // (the managed identity in Azure; AZURE_CLIENT_ID names a user-assigned one).
        services.AddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<AzureServiceBusOptions>>().Value;
            var options = new ServiceBusClientOptions { TransportType = ServiceBusTransportType.AmqpTcp };
            return string.IsNullOrEmpty(settings.ConnectionString)
                ? new ServiceBusClient(settings.FullyQualifiedNamespace, new DefaultAzureCredential(), options)
                : new ServiceBusClient(settings.ConnectionString, options);
        });
        services.AddSingleton<ServiceBusTransport>();
        services.AddSingleton<IMessageTransport>(provider => provider.GetRequiredService<IOptions<MessagingOptions>>().Value.Transport switch
        {
            MessagingOptions.RabbitMq => provider.GetRequiredService<RabbitMqTransport>(),
            MessagingOptions.AzureServiceBus => provider.GetRequiredService<ServiceBusTransport>(),
            _ => provider.GetRequiredService<SqliteTransport>(),
        });
        return services;
    }
}
