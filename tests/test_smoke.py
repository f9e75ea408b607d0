import pytest


@pytest.mark.django_db
def test_login_page_is_dutch(client):
    response = client.get("/inloggen/")
    assert response.status_code == 200
    assert "Inloggen" in response.content.decode()
