using System.Diagnostics;
using FhirMmn.Service.Features.AssessPatient;
using FhirMmn.Service.Features.GetMessage;
using FhirMmn.Service.Features.IngestBundle;
using FhirMmn.Service.Features.Messages;
using FhirMmn.Service.Features.ReadResources;
using FhirMmn.Service.Features.ResubmitMessage;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using MediatR;

namespace FhirMmn.Service.Hosting;

/// <summary>Checks a request before its handler; problems are answered 400 with an OperationOutcome.</summary>
internal interface IRequestValidator<in TRequest>
{
    IEnumerable<string> Validate(TRequest request);
}

internal sealed class RequestValidationException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Outer behaviour: a log scope with the request type, and its elapsed time. Never the request itself.</summary>
internal sealed partial class LoggingBehaviour<TRequest, TResponse>(ILogger<LoggingBehaviour<TRequest, TResponse>> logger) : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var started = Stopwatch.GetTimestamp();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RequestType"] = typeof(TRequest).Name });
        try
        {
            var response = await next().ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogHandled(logger, typeof(TRequest).Name, elapsed);
            return response;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogFailed(logger, typeof(TRequest).Name, e.GetType().Name, elapsed);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Handled {RequestType} in {ElapsedMs:0.0} ms")]
    private static partial void LogHandled(ILogger logger, string requestType, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{RequestType} failed with {ExceptionType} after {ElapsedMs:0.0} ms")]
    private static partial void LogFailed(ILogger logger, string requestType, string exceptionType, double elapsedMs);
}

/// <summary>Inner behaviour: the request's validators, if it has any.</summary>
internal sealed class ValidationBehaviour<TRequest, TResponse>(IEnumerable<IRequestValidator<TRequest>> validators) : IPipelineBehavior<TRequest, TResponse>
{
    public Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var problems = validators.SelectMany(v => v.Validate(request)).ToList();
        return problems.Count == 0 ? next() : throw new RequestValidationException(problems);
    }
}

internal static class MediatorPipeline
{
    /// <summary>
    /// MediatR 5.1.0 has no DI package here: its ServiceFactory, the mediator, the two behaviours (in this
    /// order: logging outside, validation inside) and every handler, registered explicitly.
    /// </summary>
    public static IServiceCollection AddMediatorPipeline(this IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(provider => provider.GetService!);
        services.AddScoped<IMediator, Mediator>();
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(LoggingBehaviour<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(ValidationBehaviour<,>));

        services.AddScoped<IRequestHandler<IngestBundle, IngestOutcome>, IngestBundleHandler>();
        services.AddScoped<IRequestValidator<IngestBundle>, IngestBundleValidator>();
        services.AddScoped<IRequestHandler<AssessPatient, AssessmentOutcome>, AssessPatientHandler>();
        services.AddScoped<IRequestHandler<GetMessage, MessageStatus?>, GetMessageHandler>();
        services.AddScoped<IRequestHandler<ResubmitMessage, ResubmitOutcome>, ResubmitMessageHandler>();
        services.AddScoped<IRequestHandler<ListMessages, MessagePage>, ListMessagesHandler>();
        services.AddScoped<IRequestHandler<GetMessageHistory, MessageHistoryView?>, GetMessageHistoryHandler>();
        services.AddScoped<IRequestHandler<GetMessageStats, StatsView>, GetMessageStatsHandler>();
        services.AddScoped<IRequestHandler<ResubmitMessages, ResubmitSummary?>, ResubmitMessagesHandler>();
        services.AddScoped<IRequestHandler<ReadResource, StoredResource?>, ReadResourceHandler>();
        services.AddScoped<IRequestHandler<SearchResources, SearchPage>, SearchResourcesHandler>();
        return services;
    }
}
