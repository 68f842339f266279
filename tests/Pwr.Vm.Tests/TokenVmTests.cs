using Pwr.Core;
using Pwr.Vm.Token;

namespace Pwr.Vm.Tests;

public sealed class TokenVmTests
{
    private static readonly Address Alice = TestData.Account(1), Bob = TestData.Account(2), Carol = TestData.Account(3);

    [Fact]
    public void Create_gives_the_whole_supply_to_the_creator()
    {
        var state = new DictionaryState();
        Assert.Equal(TokenResult.Ok, TokenVm.Execute(state, Alice, TokenPayload.Create("GOLD", 1_000)));
        Assert.Equal(1_000UL, TokenVm.BalanceOf(state, "GOLD", Alice));
        Assert.Equal(0UL, TokenVm.BalanceOf(state, "GOLD", Bob));
        Assert.True(TokenVm.TryGetToken(state, "GOLD", out var creator, out var supply));
        Assert.Equal(Alice, creator);
        Assert.Equal(1_000UL, supply);
    }

    [Fact]
    public void Transfer_moves_balance_between_accounts()
    {
        var state = new DictionaryState();
        TokenVm.Execute(state, Alice, TokenPayload.Create("GOLD", 1_000));
        Assert.Equal(TokenResult.Ok, TokenVm.Execute(state, Alice, TokenPayload.Transfer("GOLD", Bob, 300)));
        Assert.Equal(TokenResult.Ok, TokenVm.Execute(state, Bob, TokenPayload.Transfer("GOLD", Carol, 300)));
        Assert.Equal(700UL, TokenVm.BalanceOf(state, "GOLD", Alice));
        Assert.Equal(0UL, TokenVm.BalanceOf(state, "GOLD", Bob));
        Assert.Equal(300UL, TokenVm.BalanceOf(state, "GOLD", Carol));
    }

    [Fact]
    public void Transfer_to_oneself_changes_nothing()
    {
        var state = new DictionaryState();
        TokenVm.Execute(state, Alice, TokenPayload.Create("GOLD", 1_000));
        string before = state.Dump();
        Assert.Equal(TokenResult.Ok, TokenVm.Execute(state, Alice, TokenPayload.Transfer("GOLD", Alice, 400)));
        Assert.Equal(before, state.Dump());
    }

    [Fact]
    public void Transfer_above_balance_fails_and_changes_nothing()
    {
        var state = new DictionaryState();
        TokenVm.Execute(state, Alice, TokenPayload.Create("GOLD", 1_000));
        string before = state.Dump();
        Assert.Equal(TokenResult.InsufficientBalance, TokenVm.Execute(state, Alice, TokenPayload.Transfer("GOLD", Bob, 1_001)));
        Assert.Equal(TokenResult.InsufficientBalance, TokenVm.Execute(state, Bob, TokenPayload.Transfer("GOLD", Alice, 1)));
        Assert.Equal(TokenResult.InsufficientBalance, TokenVm.Execute(state, Alice, TokenPayload.Transfer("NOPE", Bob, 1)));
        Assert.Equal(TokenResult.ZeroAmount, TokenVm.Execute(state, Alice, TokenPayload.Transfer("GOLD", Bob, 0)));
        Assert.Equal(before, state.Dump());
    }

    [Fact]
    public void Creating_an_existing_symbol_fails_and_keeps_the_first_token()
    {
        var state = new DictionaryState();
        TokenVm.Execute(state, Alice, TokenPayload.Create("GOLD", 1_000));
        string before = state.Dump();
        Assert.Equal(TokenResult.SymbolExists, TokenVm.Execute(state, Bob, TokenPayload.Create("GOLD", 5)));
        Assert.Equal(before, state.Dump());
        Assert.Equal(0UL, TokenVm.BalanceOf(state, "GOLD", Bob));
    }

    public static TheoryData<string, TokenResult> MalformedPayloads => new()
    {
        { "", TokenResult.Malformed },
        { "01", TokenResult.Malformed },
        { "0104474f4c44", TokenResult.Malformed },                     // supply missing
        { "0104474f4c4400000000000003e8ff", TokenResult.Malformed },    // trailing byte
        { "0904474f4c4400000000000003e8", TokenResult.Malformed },      // unknown op
        { "0200", TokenResult.BadSymbol },                              // empty symbol
        { "0104676f6c6400000000000003e8", TokenResult.BadSymbol },      // lower case
        { "010d41414141414141414141414141" + "00000000000003e8", TokenResult.BadSymbol }, // 13 characters
        { "0204474f4c44" + "0102", TokenResult.Malformed },             // truncated receiver
        { "01ff474f4c44", TokenResult.Malformed },                      // length past the end
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public void Malformed_payload_is_rejected_without_changing_state(string payloadHex, TokenResult expected)
    {
        var state = new DictionaryState();
        TokenVm.Execute(state, Alice, TokenPayload.Create("GOLD", 1_000));
        string before = state.Dump();
        Assert.Equal(expected, TokenVm.Execute(state, Alice, Convert.FromHexString(payloadHex)));
        Assert.Equal(before, state.Dump());
    }

    [Fact]
    public void Payload_builders_reject_bad_symbols()
    {
        Assert.Throws<ArgumentException>(() => TokenPayload.Create("gold", 1));
        Assert.Throws<ArgumentException>(() => TokenPayload.Create("", 1));
        Assert.Throws<ArgumentException>(() => TokenPayload.Transfer("ABCDEFGHIJKLM", Bob, 1));
        Assert.Throws<ArgumentException>(() => TokenPayload.Create("GÖLD", 1));
        Assert.Equal(2 + 4 + 8, TokenPayload.Create("GOLD", 1).Length);
        Assert.Equal(2 + 4 + 20 + 8, TokenPayload.Transfer("GOLD", Bob, 1).Length);
    }

    [Fact]
    public void Block_is_executed_in_order_and_balances_are_readable_from_the_store()
    {
        using var dir = new TempDirectory();
        using var store = VmStore.Open(dir.Path);
        var vm = new TokenVm(TestData.TokenVmId);
        // Bob spends, in the same block, what Alice sent him earlier in it; the invalid tx in between is skipped.
        var block = new VmBlock(1, 0, Hash32.Zero,
        [
            TestData.Tx(Alice, TokenPayload.Create("GOLD", 100), 0),
            TestData.Tx(Alice, TokenPayload.Transfer("GOLD", Bob, 60), 1),
            TestData.Tx(Alice, [0xff], 2),
            TestData.Tx(Bob, TokenPayload.Transfer("GOLD", Carol, 50), 3),
        ]);
        var root = store.ApplyBlock(vm, block);
        Assert.False(root.IsZero);
        Assert.Equal(40UL, TokenVm.BalanceOf(store, "GOLD", Alice));
        Assert.Equal(10UL, TokenVm.BalanceOf(store, "GOLD", Bob));
        Assert.Equal(50UL, TokenVm.BalanceOf(store, "GOLD", Carol));
    }
}
