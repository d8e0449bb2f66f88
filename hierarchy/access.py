"""Who may do what with the catalogue: the one place the views and templates ask."""


def can_browse_catalogue(user) -> bool:
    return user.has_perm("hierarchy.view_problemcode")


def can_maintain_catalogue(user) -> bool:
    return user.has_perm("hierarchy.change_problemcode")
