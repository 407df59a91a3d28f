using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(FhirMmn.Benchmarks.ClassifyBenchmarks).Assembly).Run(args);
