"""Need categories: the taxonomy, category maps, crosswalks, inference, served areas and filters."""
