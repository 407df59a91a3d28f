namespace FhirMmn.Testing;

/// <summary>Paths in the repository the tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string SharedExamples { get; } = Path.GetFullPath(Path.Combine(Root, "..", "shared", "examples"));

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FhirMmn.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FhirMmn.sln not found above the test binaries.");
    }
}
