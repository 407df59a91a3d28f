namespace FhirMmn.Cli;

/// <summary>The entry point, in its own namespace: the service's global Program (for WebApplicationFactory) is referenced here too.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        using var stdin = Console.OpenStandardInput();
        return CliApp.Run(args, stdin, Console.Out, Console.Error);
    }
}
