using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Tests.Templates;

public class TemplateSyntaxExceptionTests
{
    [Fact]
    public void Message_ShortText_QuotesWholeText()
    {
        var error = TestScope.SyntaxError("{{ input.a) }}");

        Assert.Equal("Unexpected ')' at column 11 in '{{ input.a) }}'.", error.Message);
        Assert.Equal("Unexpected ')'", error.Reason);
        Assert.Equal("{{ input.a) }}", error.Text);
        Assert.Null(error.Path);
        Assert.IsAssignableFrom<FormatException>(error);
    }

    [Fact]
    public void Message_LongText_QuotesExcerptAroundColumn()
    {
        var text = new string('a', 1000) + "{{ ) }}" + new string('b', 1000);

        var error = TestScope.SyntaxError(text);

        Assert.Equal(1004, error.Column);
        Assert.Matches(@"^Expected an expression but found '\)' at column 1004 in '\.\.\.a+\{\{ \) \}\}b+\.\.\.'\.$", error.Message);
        Assert.True(error.Message.Length < 250, error.Message);
    }

    [Fact]
    public void Column_MultilineText_CountsFromStartOfText()
    {
        var error = TestScope.SyntaxError("line one\n{{ ) }}");

        Assert.Equal(13, error.Column);
    }
}
