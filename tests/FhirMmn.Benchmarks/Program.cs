using BenchmarkDotNet.Running;
using FhirMmn.Benchmarks;
using FhirMmn.Benchmarks.Load;

// `load [options]`: the end-to-end load tool (Load/LoadCommand.cs). Anything else: BenchmarkDotNet.
if (args is ["load", ..])
{
    return await LoadCommand.RunAsync(args).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(ClassifyBenchmarks).Assembly).Run(args);
return 0;
