using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Pwr.Vm.Tests")]
