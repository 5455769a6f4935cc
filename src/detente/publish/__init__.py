"""Publishing: dumps, the dataset description, pages, pictures, server configurations."""
