// Placeholder: the console entry point is written elsewhere.
int main()
{
    return 0;
}
