using Pwr.Vm.Evm;

namespace Pwr.Vm.Evm.Tests;

public class EvmAssemblyTests
{
    [Fact]
    public void Evm_implements_cancun() => Assert.Equal("Cancun", EvmAssembly.Fork);
}
